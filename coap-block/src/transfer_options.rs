//! The block-wise options of one message, read strictly (RFC 7959 §2.1, §4; RFC 9175 §3).

use coap_message::{MessageOption, MinimalWritableMessage, OptionNumber, ReadableMessage};

use crate::uint_value::{UintValue, decode_uint};
use crate::{BlockOption, ETag, Error, RequestTag, option_number};

/// The block-wise related options of one CoAP message.
///
/// Read with [`TransferOptions::from_message`] from any `coap-message` 0.3 message, or build
/// one by hand for the sans-IO state machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransferOptions {
    /// RFC 7959 §2.1: the Block1 option.
    pub block1: Option<BlockOption>,
    /// RFC 7959 §2.1: the Block2 option.
    pub block2: Option<BlockOption>,
    /// RFC 7959 §4: the Size1 option.
    pub size1: Option<u32>,
    /// RFC 7959 §4: the Size2 option.
    pub size2: Option<u32>,
    /// RFC 9175 §3: the Request-Tag (absent, or one value).
    pub request_tag: RequestTag,
    /// RFC 7252 §5.10.6: the (first) ETag option.
    pub etag: Option<ETag>,
}

impl TransferOptions {
    /// Read the options of `message`.
    ///
    /// Errors: a repeated Block option (RFC 7959 §2.1 "MUST NOT occur more than once"; a
    /// repeated critical option is rejected per RFC 7252 §5.4.5, 4.02), a Block value that is
    /// too long (4.02) or has SZX 7 (4.00), more than one Request-Tag (this implementation keeps
    /// one tag per operation, 4.02), a Request-Tag longer than 8 bytes (4.02). Size1/Size2 are
    /// elective (RFC 7959 §4): a repeated or over-long one is ignored, as RFC 7252 §5.4.5 and
    /// §5.4.3 prescribe for elective options. An invalid ETag is ignored likewise.
    pub fn from_message<M: ReadableMessage + ?Sized>(message: &M) -> Result<Self, Error> {
        let mut out = TransferOptions::default();
        let mut size1_seen = false;
        let mut size2_seen = false;
        let mut etag_seen = false;
        for option in message.options() {
            let value = option.value();
            match option.number() {
                option_number::BLOCK1 => {
                    if out.block1.is_some() {
                        return Err(Error::RepeatedOption {
                            number: option_number::BLOCK1,
                        });
                    }
                    out.block1 = Some(BlockOption::decode(value)?);
                }
                option_number::BLOCK2 => {
                    if out.block2.is_some() {
                        return Err(Error::RepeatedOption {
                            number: option_number::BLOCK2,
                        });
                    }
                    out.block2 = Some(BlockOption::decode(value)?);
                }
                option_number::SIZE1 if !size1_seen => {
                    size1_seen = true;
                    out.size1 = decode_uint(value, 4);
                }
                option_number::SIZE2 if !size2_seen => {
                    size2_seen = true;
                    out.size2 = decode_uint(value, 4);
                }
                option_number::REQUEST_TAG => {
                    if out.request_tag != RequestTag::Absent {
                        return Err(Error::RepeatedOption {
                            number: option_number::REQUEST_TAG,
                        });
                    }
                    out.request_tag = RequestTag::new(value)?;
                }
                option_number::ETAG if !etag_seen => {
                    etag_seen = true;
                    out.etag = ETag::new(value).ok();
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Add Block2 (23), Block1 (27), Size2 (28), Size1 (60) and Request-Tag (292), those that
    /// are set, in ascending order to `message` (the ETag, option 4, is left to the caller).
    ///
    /// `coap-message` wants options in ascending order: call this after adding the options
    /// numbered below 23 (Uri-Path, Content-Format, Accept, ...) and before those above 292.
    /// A message that also needs an option between 28 and 292 (e.g. Proxy-Uri 35, Echo 252)
    /// adds the block-wise options one by one instead, with [`BlockOption::encode`] and
    /// [`UintValue`].
    pub fn write_to<M: MinimalWritableMessage + ?Sized>(
        &self,
        message: &mut M,
    ) -> Result<(), M::UnionError> {
        let mut add = |number: u16, value: &[u8]| -> Result<(), M::UnionError> {
            let number = M::OptionNumber::new(number)?;
            message.add_option(number, value)?;
            Ok(())
        };
        if let Some(b) = self.block2 {
            add(option_number::BLOCK2, b.encode().as_bytes())?;
        }
        if let Some(b) = self.block1 {
            add(option_number::BLOCK1, b.encode().as_bytes())?;
        }
        if let Some(size) = self.size2 {
            add(option_number::SIZE2, UintValue::new(size).as_bytes())?;
        }
        if let Some(size) = self.size1 {
            add(option_number::SIZE1, UintValue::new(size).as_bytes())?;
        }
        if let Some(tag) = self.request_tag.value() {
            add(option_number::REQUEST_TAG, tag)?;
        }
        Ok(())
    }
}
