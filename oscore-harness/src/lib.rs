//! Differential tests of `coap-oscore` against the `oscore` 0.1.2 crate live in `tests/`;
//! this library only names the shared RFC 8613 Appendix C.1 input parameters.

/// RFC 8613 Appendix C.1 Master Secret.
pub const MASTER_SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
/// RFC 8613 Appendix C.1 Master Salt.
pub const MASTER_SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

/// The C.1 parameters for the client (`true`, Sender ID h'') or the server (Sender ID h'01').
pub fn c1(client: bool) -> coap_oscore::ContextParams<'static> {
    let (s, r): (&'static [u8], &'static [u8]) = if client { (&[], &[1]) } else { (&[1], &[]) };
    coap_oscore::ContextParams {
        master_salt: &MASTER_SALT,
        ..coap_oscore::ContextParams::new(&MASTER_SECRET, s, r)
    }
}
