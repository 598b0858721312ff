//! The OSCORE option value (RFC 8613 §6.1): flag bits, Partial IV, kid context, kid.

use crate::error::Error;
use crate::partial_iv::PartialIv;

/// CoAP option number of the OSCORE option (RFC 8613 §2).
pub const OSCORE: u16 = 9;

const FLAG_KID: u8 = 0x08;
const FLAG_KID_CONTEXT: u8 = 0x10;
const RESERVED: u8 = 0xe0;
const PIV_LEN_MASK: u8 = 0x07;

/// Longest OSCORE option value this crate emits: flags, 5-byte Partial IV, kid context (with its
/// length byte) and kid.
pub const MAX_ENCODED_LEN: usize =
    1 + 5 + 1 + crate::identifier::MAX_ID_CONTEXT_LEN + crate::identifier::MAX_ID_LEN;

/// A decoded OSCORE option value, borrowing kid and kid context from the message.
///
/// ```text
///  0 1 2 3 4 5 6 7 <------------- n bytes -------------->
/// +-+-+-+-+-+-+-+-+--------------------------------------
/// |0 0 0|h|k|  n  |       Partial IV (if any) ...
/// +-+-+-+-+-+-+-+-+--------------------------------------
/// | s (if any) | kid context (if any) | kid (if any) ... |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OscoreOption<'a> {
    /// The Partial IV, if present (n > 0).
    pub partial_iv: Option<PartialIv>,
    /// The kid context, if present (h = 1).
    pub kid_context: Option<&'a [u8]>,
    /// The kid, if present (k = 1).
    pub kid: Option<&'a [u8]>,
}

impl<'a> OscoreOption<'a> {
    /// RFC 8613 §6.1: decode an option value strictly. Reserved bits, n = 6 or 7, a truncated
    /// kid context, bytes left over without the k flag and a lone `0x00` flags byte (which
    /// §6.1 says must be sent as the empty value) are all [`Error::MalformedOption`].
    pub fn decode(value: &'a [u8]) -> Result<Self, Error> {
        let Some((&flags, rest)) = value.split_first() else {
            return Ok(Self::default());
        };
        if flags & RESERVED != 0 || flags == 0 {
            return Err(Error::MalformedOption);
        }
        let n = usize::from(flags & PIV_LEN_MASK);
        if n > 5 {
            return Err(Error::MalformedOption);
        }
        let (piv, rest) = rest.split_at_checked(n).ok_or(Error::MalformedOption)?;
        let partial_iv = match n {
            0 => None,
            _ => Some(PartialIv::decode(piv)?),
        };
        let (kid_context, rest) = if flags & FLAG_KID_CONTEXT != 0 {
            let (&s, rest) = rest.split_first().ok_or(Error::MalformedOption)?;
            let (ctx, rest) = rest
                .split_at_checked(usize::from(s))
                .ok_or(Error::MalformedOption)?;
            (Some(ctx), rest)
        } else {
            (None, rest)
        };
        let kid = if flags & FLAG_KID != 0 {
            Some(rest)
        } else if rest.is_empty() {
            None
        } else {
            return Err(Error::MalformedOption);
        };
        Ok(Self {
            partial_iv,
            kid_context,
            kid,
        })
    }

    /// RFC 8613 §6.1: encode into `out`, returning the used prefix (empty when nothing is set).
    pub fn encode<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], Error> {
        let piv = self.partial_iv.map(PartialIv::encode);
        let piv = piv.as_ref().map(|p| p.as_bytes()).unwrap_or(&[]);
        let mut flags = piv.len() as u8;
        let mut len = 1 + piv.len();
        if let Some(ctx) = self.kid_context {
            flags |= FLAG_KID_CONTEXT;
            if ctx.len() > 255 {
                return Err(Error::IdContextTooLong);
            }
            len += 1 + ctx.len();
        }
        if let Some(kid) = self.kid {
            flags |= FLAG_KID;
            len += kid.len();
        }
        if flags == 0 {
            return Ok(&[]);
        }
        let out = out.get_mut(..len).ok_or(Error::BufferTooSmall)?;
        let mut w = Writer { out, at: 0 };
        w.put(&[flags])?;
        w.put(piv)?;
        if let Some(ctx) = self.kid_context {
            w.put(&[ctx.len() as u8])?;
            w.put(ctx)?;
        }
        if let Some(kid) = self.kid {
            w.put(kid)?;
        }
        Ok(w.out)
    }
}

struct Writer<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.at + bytes.len();
        self.out
            .get_mut(self.at..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.at = end;
        Ok(())
    }
}
