//! Block1/Block2/Size option codec against RFC 7959 and the EST-coaps Appendix B vectors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use coap_block::{BlockOption, Error, RequestTag, Szx, TransferOptions, UintValue, option_number};
use coap_lite::{CoapOption, Packet};
use common::{notation, vector};
use proptest::prelude::*;

/// RFC 7959 §3: "a Block2 Option value of 33 would be shown as 2:2/0/32) and a Block1
/// Option value of 59 would be shown as 1:3/1/128".
#[test]
fn rfc7959_section3_notation_examples_decode_and_encode() {
    for (value, shown) in [(33u8, "2:2/0/32"), (59u8, "1:3/1/128")] {
        let (_, expected) = notation(shown);
        assert_eq!(BlockOption::decode(&[value]).unwrap(), expected);
        assert_eq!(expected.encode().as_bytes(), &[value]);
        assert_eq!(format!("2:{expected}"), format!("2:{}", &shown[2..]));
    }
}

/// draft-ietf-ace-coap-est-18 Appendix B.1: the printed Block2 option values with their
/// printed decomposition, and the payload fragments whose lengths must match the size.
#[test]
fn est_coaps_appendix_b1_block2_values_round_trip() {
    let index: serde_json::Value =
        serde_json::from_str(&vector("est-coaps-rfc9148/index.json")).unwrap();
    let entries = index["files"].as_array().unwrap();
    let mut checked = 0;
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        if !file.starts_with("crts-block2-") {
            continue;
        }
        // e.g. "... Block2 Option Value = 0x0A (block#=0, M=1, SZX=2)"
        let coap = entry["coap"].as_str().unwrap();
        let after = coap.split("Option Value = 0x").nth(1).unwrap();
        let byte = u8::from_str_radix(&after[..2], 16).unwrap();
        let inner = after.split('(').nth(1).unwrap().split(')').next().unwrap();
        let field = |name: &str| -> u32 {
            inner
                .split(", ")
                .find_map(|kv| kv.strip_prefix(name))
                .unwrap()
                .parse()
                .unwrap()
        };
        let option = BlockOption::decode(&[byte]).unwrap();
        assert_eq!(option.num, field("block#="), "{file}");
        assert_eq!(u32::from(option.more), field("M="), "{file}");
        assert_eq!(u32::from(option.szx.exponent()), field("SZX="), "{file}");
        assert_eq!(option.encode().as_bytes(), &[byte], "{file}");
        let payload = hex::decode(vector(&format!("est-coaps-rfc9148/{file}")).trim()).unwrap();
        if option.more {
            assert_eq!(payload.len(), option.size(), "{file}");
        } else {
            assert!(payload.len() <= option.size(), "{file}");
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn reserved_szx_7_is_rejected_with_4_00() {
    let err = BlockOption::decode(&[0x0F]).unwrap_err();
    assert_eq!(err, Error::ReservedSzx);
    assert_eq!(err.coap_code(), Some(coap_numbers::code::BAD_REQUEST));
    assert_eq!(Szx::new(7), Err(Error::ReservedSzx));
}

#[test]
fn value_longer_than_3_bytes_is_rejected_with_4_02() {
    let err = BlockOption::decode(&[0, 0, 0, 0x10]).unwrap_err();
    assert_eq!(err, Error::BlockOptionTooLong { len: 4 });
    assert_eq!(err.coap_code(), Some(coap_numbers::code::BAD_OPTION));
}

#[test]
fn empty_value_is_block_0_without_more_of_16_bytes() {
    // RFC 7959 §2.2: "when all of NUM, M, and SZX happen to be zero, a zero-byte integer".
    let option = BlockOption::decode(&[]).unwrap();
    assert_eq!(option, BlockOption::new(0, false, Szx::MIN).unwrap());
    assert!(option.encode().as_bytes().is_empty());
}

#[test]
fn leading_zero_bytes_are_accepted() {
    // RFC 7252 §3.2: "a recipient MUST be prepared to process values with leading zero bytes".
    assert_eq!(
        BlockOption::decode(&[0, 0, 33]).unwrap(),
        notation("2/0/32").1
    );
}

#[test]
fn encoding_lengths_follow_num_range() {
    let szx = Szx::new(6).unwrap();
    assert_eq!(
        BlockOption::new(15, true, szx)
            .unwrap()
            .encode()
            .as_bytes()
            .len(),
        1
    );
    assert_eq!(
        BlockOption::new(16, true, szx)
            .unwrap()
            .encode()
            .as_bytes()
            .len(),
        2
    );
    assert_eq!(
        BlockOption::new(4095, true, szx)
            .unwrap()
            .encode()
            .as_bytes()
            .len(),
        2
    );
    assert_eq!(
        BlockOption::new(4096, true, szx)
            .unwrap()
            .encode()
            .as_bytes()
            .len(),
        3
    );
    let max = BlockOption::new(BlockOption::MAX_NUM, true, szx).unwrap();
    assert_eq!(max.encode().as_bytes(), &[0xff, 0xff, 0xfe]);
    assert_eq!(
        BlockOption::new(BlockOption::MAX_NUM + 1, false, szx),
        Err(Error::BlockNumberTooLarge {
            num: BlockOption::MAX_NUM + 1
        })
    );
}

#[test]
fn offset_is_num_shifted_by_szx_plus_4() {
    // RFC 7959 §2.2 implementation note: (val & ~0xF) << (val & 7).
    for val in [0u32, 0x1a, 0x92, 0x3b, 0xfff6, 0xfffffe] {
        let bytes = UintValue::new(val);
        let option = BlockOption::decode(bytes.as_bytes()).unwrap();
        assert_eq!(option.offset(), ((val & !0xf) << (val & 7)) as usize);
    }
}

#[test]
fn szx_sizes() {
    assert_eq!(Szx::MIN.block_size(), 16);
    assert_eq!(Szx::MAX.block_size(), 1024);
    assert_eq!(Szx::from_block_size(64).unwrap().exponent(), 2);
    assert_eq!(
        Szx::from_block_size(2048),
        Err(Error::InvalidBlockSize { size: 2048 })
    );
    assert_eq!(Szx::at_most(100).block_size(), 64);
    assert_eq!(Szx::at_most(1).block_size(), 16);
}

#[test]
fn size_options_are_shortest_uints() {
    assert!(UintValue::new(0).as_bytes().is_empty());
    assert_eq!(UintValue::new(639).as_bytes(), &[0x02, 0x7f]);
    assert_eq!(UintValue::new(u32::MAX).as_bytes(), &[0xff; 4]);
}

fn packet(options: &[(u16, &[u8])]) -> Packet {
    let mut p = Packet::new();
    for (number, value) in options {
        p.add_option(CoapOption::from(*number), value.to_vec());
    }
    p
}

#[test]
fn transfer_options_read_from_a_coap_lite_message() {
    let p = packet(&[
        (option_number::ETAG, &[0x6f, 0x00, 0xf3, 0x8e]),
        (option_number::BLOCK2, &[0x1a]),
        (option_number::BLOCK1, &[59]),
        (option_number::SIZE2, &[0x02, 0x7f]),
        (option_number::SIZE1, &[0x01, 0x00]),
        (option_number::REQUEST_TAG, &[7]),
    ]);
    let o = TransferOptions::from_message(&p).unwrap();
    assert_eq!(o.block1, Some(notation("1:3/1/128").1));
    assert_eq!(o.block2, Some(BlockOption::decode(&[0x1a]).unwrap()));
    assert_eq!(o.size1, Some(256));
    assert_eq!(o.size2, Some(639));
    assert_eq!(o.request_tag, RequestTag::new(&[7]).unwrap());
    assert_eq!(o.etag.unwrap().as_bytes(), &[0x6f, 0x00, 0xf3, 0x8e]);
}

#[test]
fn repeated_block_option_is_rejected_with_4_02() {
    // RFC 7959 §2.1: "Either Block option MUST NOT occur more than once".
    for number in [option_number::BLOCK1, option_number::BLOCK2] {
        let p = packet(&[(number, &[0x1a]), (number, &[0x2a])]);
        let err = TransferOptions::from_message(&p).unwrap_err();
        assert_eq!(err, Error::RepeatedOption { number });
        assert_eq!(err.coap_code(), Some(coap_numbers::code::BAD_OPTION));
    }
}

#[test]
fn repeated_or_overlong_size_option_is_ignored_as_elective() {
    // RFC 7959 §4: Size options are elective and MUST NOT occur more than once.
    let p = packet(&[(option_number::SIZE1, &[1]), (option_number::SIZE1, &[2])]);
    assert_eq!(TransferOptions::from_message(&p).unwrap().size1, Some(1));
    let p = packet(&[(option_number::SIZE2, &[1, 2, 3, 4, 5])]);
    assert_eq!(TransferOptions::from_message(&p).unwrap().size2, None);
}

#[test]
fn request_tag_longer_than_8_bytes_is_rejected() {
    let p = packet(&[(option_number::REQUEST_TAG, &[0; 9])]);
    assert_eq!(
        TransferOptions::from_message(&p).unwrap_err(),
        Error::RequestTagTooLong { len: 9 }
    );
}

#[test]
fn absent_and_empty_request_tags_differ() {
    // RFC 9175 §3.4: the absent option is a value distinct from all present values.
    let empty = TransferOptions::from_message(&packet(&[(option_number::REQUEST_TAG, &[])]))
        .unwrap()
        .request_tag;
    assert_ne!(empty, RequestTag::Absent);
    assert_eq!(empty.value(), Some(&[][..]));
}

proptest! {
    #[test]
    fn any_valid_option_round_trips(num in 0u32..=BlockOption::MAX_NUM, more: bool, szx in 0u8..=6) {
        let option = BlockOption::new(num, more, Szx::new(szx).unwrap()).unwrap();
        let encoded = option.encode();
        prop_assert!(encoded.as_bytes().len() <= 3);
        prop_assert_eq!(BlockOption::decode(encoded.as_bytes()).unwrap(), option);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..6)) {
        match BlockOption::decode(&bytes) {
            Ok(option) => {
                prop_assert!(bytes.len() <= 3);
                prop_assert!(option.szx.exponent() <= 6);
            }
            Err(e) => prop_assert!(e.coap_code().is_some()),
        }
    }
}

#[test]
fn a_list_of_request_tags_is_refused_with_4_02() {
    // RFC 9175 §3.2 makes Request-Tag repeatable; this crate keys an operation by one tag and
    // refuses a list rather than merge operations with different lists (§3.3).
    let p = packet(&[
        (option_number::REQUEST_TAG, &[1]),
        (option_number::REQUEST_TAG, &[2]),
    ]);
    let err = TransferOptions::from_message(&p).unwrap_err();
    assert_eq!(
        err,
        Error::RepeatedOption {
            number: option_number::REQUEST_TAG
        }
    );
    assert_eq!(err.coap_code(), Some(coap_numbers::code::BAD_OPTION));
}

#[test]
fn written_options_read_back_equal() {
    let options = TransferOptions {
        block1: Some(notation("1:3/1/128").1),
        block2: Some(notation("2:2/0/32").1),
        size1: Some(4000),
        size2: Some(0),
        request_tag: RequestTag::new(b"rt").unwrap(),
        etag: None,
    };
    let mut p = Packet::new();
    options.write_to(&mut p).unwrap();
    assert_eq!(TransferOptions::from_message(&p).unwrap(), options);
    // The bytes on the wire: Block1 value 59 (RFC 7959 §3), Block2 value 33, Size2 empty.
    assert_eq!(p.get_first_option(CoapOption::Block1), Some(&vec![59]));
    assert_eq!(p.get_first_option(CoapOption::Block2), Some(&vec![33]));
    assert_eq!(p.get_first_option(CoapOption::Size2), Some(&vec![]));
}
