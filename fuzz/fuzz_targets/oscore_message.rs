//! A simple heap message for the OSCORE fuzz targets (shared through `#[path]`): parses
//! arbitrary bytes as `code, option count, (number: u16, len: u8, value)*, payload`.

use coap_oscore::coap_message::{
    MessageOption, MinimalWritableMessage, ReadableMessage, WithSortedOptions,
};

#[derive(Default, Debug)]
pub struct FuzzMessage {
    pub code: u8,
    pub options: Vec<(u16, Vec<u8>)>,
    pub payload: Vec<u8>,
}

impl FuzzMessage {
    pub fn parse(data: &[u8]) -> Self {
        let mut m = FuzzMessage::default();
        let mut it = data;
        if let [code, count, rest @ ..] = it {
            m.code = *code;
            it = rest;
            for _ in 0..(*count % 8) {
                let [hi, lo, len, rest @ ..] = it else { break };
                let len = usize::from(*len).min(rest.len());
                m.options.push((u16::from_be_bytes([*hi, *lo]) % 400, rest[..len].to_vec()));
                it = &rest[len..];
            }
        }
        m.options.sort_by_key(|(n, _)| *n);
        m.payload = it.to_vec();
        m
    }
}

pub struct Opt<'a>(u16, &'a [u8]);
impl MessageOption for Opt<'_> {
    fn number(&self) -> u16 {
        self.0
    }
    fn value(&self) -> &[u8] {
        self.1
    }
}

impl ReadableMessage for FuzzMessage {
    type Code = u8;
    type MessageOption<'a> = Opt<'a>;
    type OptionsIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (u16, Vec<u8>)>,
        fn(&'a (u16, Vec<u8>)) -> Opt<'a>,
    >;
    fn code(&self) -> u8 {
        self.code
    }
    fn options(&self) -> Self::OptionsIter<'_> {
        self.options.iter().map(|(n, v)| Opt(*n, v))
    }
    fn payload(&self) -> &[u8] {
        &self.payload
    }
}
impl WithSortedOptions for FuzzMessage {}

impl MinimalWritableMessage for FuzzMessage {
    type Code = u8;
    type OptionNumber = u16;
    type AddOptionError = core::convert::Infallible;
    type SetPayloadError = core::convert::Infallible;
    type UnionError = core::convert::Infallible;
    fn set_code(&mut self, code: u8) {
        self.code = code;
    }
    fn add_option(&mut self, number: u16, value: &[u8]) -> Result<(), Self::AddOptionError> {
        if let Some((last, _)) = self.options.last() {
            assert!(*last <= number, "options must come out in ascending order");
        }
        self.options.push((number, value.to_vec()));
        Ok(())
    }
    fn set_payload(&mut self, data: &[u8]) -> Result<(), Self::SetPayloadError> {
        self.payload = data.to_vec();
        Ok(())
    }
}

/// RFC 8613 Appendix C.1 contexts.
pub fn c1(client: bool) -> coap_oscore::ContextParams<'static> {
    const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];
    let (s, r): (&'static [u8], &'static [u8]) = if client { (&[], &[1]) } else { (&[1], &[]) };
    coap_oscore::ContextParams {
        master_salt: &SALT,
        ..coap_oscore::ContextParams::new(&SECRET, s, r)
    }
}
