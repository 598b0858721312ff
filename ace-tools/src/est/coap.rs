//! CoAP messages for the EST driver (RFC 7252 over coap-lite), with block-wise options
//! (RFC 7959) handled by `coap-block`.

use coap_block::BlockOption;
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};

/// RFC 9175 §3.2: the Request-Tag option number.
pub const REQUEST_TAG: u16 = 292;

/// RFC 7252 §3.2: the minimal big-endian bytes of a uint option.
pub fn uint_bytes(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

/// A uint option value (at most 4 bytes).
pub fn uint_of(bytes: &[u8]) -> Option<u32> {
    if bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
}

/// The first value of a uint option.
pub fn get_uint(p: &Packet, opt: CoapOption) -> Option<u32> {
    p.get_first_option(opt).and_then(|v| uint_of(v))
}

/// The first value of a block option, if valid.
pub fn get_block(p: &Packet, opt: CoapOption) -> Result<Option<BlockOption>, coap_block::Error> {
    p.get_first_option(opt)
        .map(|v| BlockOption::decode(v))
        .transpose()
}

/// Sets a uint option (replacing it).
pub fn set_uint(p: &mut Packet, opt: CoapOption, v: u32) {
    p.clear_option(opt);
    p.add_option(opt, uint_bytes(v));
}

/// Sets a block option.
pub fn set_block(p: &mut Packet, opt: CoapOption, b: BlockOption) {
    set_uint(p, opt, b.to_uint());
}

/// The Uri-Path segments as strings.
pub fn uri_path(p: &Packet) -> Vec<String> {
    p.get_option(CoapOption::UriPath)
        .map(|l| {
            l.iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The Uri-Query items as strings.
pub fn uri_query(p: &Packet) -> Vec<String> {
    p.get_option(CoapOption::UriQuery)
        .map(|l| {
            l.iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A response to `req`: piggybacked ACK for CON, NON otherwise (RFC 7252 §5.2).
pub fn response_to(req: &Packet, code: u8, mid: u16) -> Packet {
    let mut p = Packet::new();
    if req.header.get_type() == MessageType::Confirmable {
        p.header.set_type(MessageType::Acknowledgement);
        p.header.message_id = req.header.message_id;
    } else {
        p.header.set_type(MessageType::NonConfirmable);
        p.header.message_id = mid;
    }
    p.header.code = MessageClass::from(code);
    p.set_token(req.get_token().to_vec());
    p
}
