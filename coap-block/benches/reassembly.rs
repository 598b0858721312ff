//! Block1 reassembly throughput: a 64 KB body in 1024-byte blocks, as a ratio to a plain
//! memcpy of the same bytes into the same kind of buffer (the raw work it cannot avoid).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(missing_docs)]

use core::time::Duration;
use std::hint::black_box;

use coap_block::{Block1Outcome, BlockOption, Reassembler, ReassemblyConfig, RequestTag, Szx};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BODY: usize = 64 * 1024;
const BLOCK: usize = 1024;

fn reassembly(c: &mut Criterion) {
    let body: Vec<u8> = (0..BODY).map(|i| (i * 31 % 251) as u8).collect();
    let szx = Szx::from_block_size(BLOCK).unwrap();
    let mut group = c.benchmark_group("block1_64k_in_1024");
    group.throughput(Throughput::Bytes(BODY as u64));

    group.bench_function("memcpy_baseline", |b| {
        let mut dst = vec![0u8; BODY];
        b.iter(|| {
            for (chunk, out) in body.chunks(BLOCK).zip(dst.chunks_mut(BLOCK)) {
                out.copy_from_slice(black_box(chunk));
            }
            black_box(&dst);
        })
    });

    group.bench_function("reassembler", |b| {
        let mut slab = vec![0u8; BODY * 4];
        let mut server: Reassembler<'_, u32, 4> =
            Reassembler::new(&mut slab, ReassemblyConfig::default());
        let blocks = body.chunks(BLOCK).count();
        b.iter(|| {
            for (num, chunk) in body.chunks(BLOCK).enumerate() {
                let block = BlockOption::new(num as u32, num + 1 < blocks, szx).unwrap();
                match server.handle_block1(
                    &7,
                    &RequestTag::Absent,
                    block,
                    None,
                    black_box(chunk),
                    Duration::from_secs(1),
                ) {
                    Ok(Block1Outcome::Complete { body, .. }) => {
                        black_box(body);
                    }
                    Ok(Block1Outcome::Continue { ack }) => {
                        black_box(ack);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, reassembly);
criterion_main!(benches);
