//! Protect and unprotect allocate nothing when the caller provides the buffers: counted with
//! a global allocator, over message types that live on the stack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::System;

use coap_message::{MessageOption, MinimalWritableMessage, ReadableMessage, WithSortedOptions};
use coap_oscore::{ContextParams, ResponsePartialIv, SecurityContext, VerifiedRequest};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A CoAP message on the stack: up to 8 options of up to 32 bytes, 256 bytes of payload.
#[derive(Clone)]
struct StackMessage {
    code: u8,
    options: [(u16, [u8; 32], usize); 8],
    n: usize,
    payload: [u8; 256],
    len: usize,
}

impl StackMessage {
    fn new() -> Self {
        Self {
            code: 0,
            options: [(0, [0; 32], 0); 8],
            n: 0,
            payload: [0; 256],
            len: 0,
        }
    }
}

struct Opt<'a>(u16, &'a [u8]);
impl MessageOption for Opt<'_> {
    fn number(&self) -> u16 {
        self.0
    }
    fn value(&self) -> &[u8] {
        self.1
    }
}

impl ReadableMessage for StackMessage {
    type Code = u8;
    type MessageOption<'a> = Opt<'a>;
    type OptionsIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (u16, [u8; 32], usize)>,
        fn(&'a (u16, [u8; 32], usize)) -> Opt<'a>,
    >;
    fn code(&self) -> u8 {
        self.code
    }
    fn options(&self) -> Self::OptionsIter<'_> {
        self.options[..self.n]
            .iter()
            .map(|(n, v, l)| Opt(*n, &v[..*l]))
    }
    fn payload(&self) -> &[u8] {
        &self.payload[..self.len]
    }
}
impl WithSortedOptions for StackMessage {}

impl MinimalWritableMessage for StackMessage {
    type Code = u8;
    type OptionNumber = u16;
    type AddOptionError = core::convert::Infallible;
    type SetPayloadError = core::convert::Infallible;
    type UnionError = core::convert::Infallible;
    fn set_code(&mut self, code: u8) {
        self.code = code;
    }
    fn add_option(&mut self, number: u16, value: &[u8]) -> Result<(), Self::AddOptionError> {
        let slot = &mut self.options[self.n];
        slot.0 = number;
        slot.1[..value.len()].copy_from_slice(value);
        slot.2 = value.len();
        self.n += 1;
        Ok(())
    }
    fn set_payload(&mut self, data: &[u8]) -> Result<(), Self::SetPayloadError> {
        self.payload[..data.len()].copy_from_slice(data);
        self.len = data.len();
        Ok(())
    }
}

#[test]
fn protect_and_unprotect_of_request_and_response_allocate_nothing() {
    let secret = [7u8; 16];
    let mut client = SecurityContext::derive(&ContextParams::new(&secret, &[], &[1])).unwrap();
    let mut server = SecurityContext::derive(&ContextParams::new(&secret, &[1], &[])).unwrap();
    let mut request = StackMessage::new();
    request.set_code(0x01);
    request.add_option(3, b"example.org").unwrap();
    request.add_option(11, b"sensors").unwrap();
    request.add_option(11, b"temp").unwrap();
    request.set_payload(&[0x55; 64]).unwrap();
    let mut response = StackMessage::new();
    response.set_code(0x45);
    response.add_option(12, &[0]).unwrap();
    response.set_payload(b"22.5 C").unwrap();
    let mut buf = [0u8; 512];
    let (mut wire, mut plain, mut wire2, mut back) = (
        StackMessage::new(),
        StackMessage::new(),
        StackMessage::new(),
        StackMessage::new(),
    );

    let region = Region::new(GLOBAL);
    let mut id = client
        .protect_request(&request, &mut buf, &mut wire)
        .unwrap();
    let VerifiedRequest::Fresh(rid) = server
        .unprotect_request(&wire, &mut buf, &mut plain)
        .unwrap()
    else {
        panic!()
    };
    server
        .protect_response(
            &rid,
            &response,
            ResponsePartialIv::Own,
            &mut buf,
            &mut wire2,
        )
        .unwrap();
    client
        .unprotect_response(&mut id, &wire2, &mut buf, &mut back)
        .unwrap();
    let change = region.change();

    assert_eq!(
        change.allocations, 0,
        "heap allocations during protect/unprotect"
    );
    assert_eq!(
        change.reallocations, 0,
        "heap reallocations during protect/unprotect"
    );
    assert_eq!(plain.payload(), request.payload());
    assert_eq!(plain.n, 3);
    assert_eq!(back.payload(), b"22.5 C");
    assert_eq!(back.code, 0x45);
}
