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

/// RFC 8613 §6.1 with the per-Sender-Context part done once: the option value of this
/// endpoint's requests is `flags | n`, the Partial IV, then `s`, kid context and kid, and only
/// the Partial IV changes from request to request. [`RequestOptionTemplate::write`] gives byte
/// for byte what [`OscoreOption::encode`] gives (unit test `request_template_matches_encode`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestOptionTemplate {
    /// The k and h flags (n is added per message).
    flags: u8,
    /// `s`, kid context (when present) and kid.
    tail: [u8; MAX_ENCODED_LEN - 6],
    tail_len: usize,
}

impl RequestOptionTemplate {
    /// The template for requests with `kid` and `kid_context`; `None` if they do not fit
    /// (never for the IDs and ID Contexts a context accepts; callers then use
    /// [`OscoreOption::encode`]).
    pub(crate) fn new(kid_context: Option<&[u8]>, kid: &[u8]) -> Option<Self> {
        let mut tail = [0u8; MAX_ENCODED_LEN - 6];
        let mut tail_len = 0;
        let mut flags = FLAG_KID;
        if let Some(ctx) = kid_context {
            flags |= FLAG_KID_CONTEXT;
            *tail.first_mut()? = u8::try_from(ctx.len()).ok()?;
            tail.get_mut(1..1 + ctx.len())?.copy_from_slice(ctx);
            tail_len = 1 + ctx.len();
        }
        tail.get_mut(tail_len..tail_len + kid.len())?
            .copy_from_slice(kid);
        tail_len += kid.len();
        Some(Self {
            flags,
            tail,
            tail_len,
        })
    }

    /// The option value for `partial_iv`, written into `out`; returns its length.
    pub(crate) fn write(&self, partial_iv: PartialIv, out: &mut [u8; MAX_ENCODED_LEN]) -> usize {
        let n = partial_iv.encoded_len();
        if let Some(f) = out.first_mut() {
            *f = self.flags | n as u8;
        }
        // The n Partial IV bytes as one 8-byte big-endian store; the tail overwrites the rest.
        let piv = partial_iv.value() << (64 - 8 * n as u32);
        if let Some(dst) = out.get_mut(1..9) {
            dst.copy_from_slice(&piv.to_be_bytes());
        }
        if self.tail_len > 0
            && let (Some(dst), Some(src)) = (
                out.get_mut(1 + n..1 + n + self.tail_len),
                self.tail.get(..self.tail_len),
            )
        {
            dst.copy_from_slice(src);
        }
        1 + n + self.tail_len
    }

    /// RFC 8613 §6.1 / §8.2 step 2 for the common case: the Partial IV of `value` when it is
    /// exactly what [`RequestOptionTemplate::write`] produces for some Partial IV (same flags,
    /// 1–5 byte minimal Partial IV, same kid context and kid). `None` for anything else,
    /// which the caller then decodes with [`OscoreOption::decode`]; for the values accepted
    /// here, that decoder gives this Partial IV with this kid and kid context.
    pub(crate) fn partial_iv_of(&self, value: &[u8]) -> Option<PartialIv> {
        let (&flags, rest) = value.split_first()?;
        if flags & !PIV_LEN_MASK != self.flags {
            return None;
        }
        let (piv, tail) = rest.split_at_checked(usize::from(flags & PIV_LEN_MASK))?;
        if piv.is_empty()
            || tail.len() != self.tail_len
            || (self.tail_len > 0 && tail != self.tail.get(..self.tail_len)?)
        {
            return None;
        }
        PartialIv::decode(piv).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The template gives the same bytes as the general encoder for kid lengths 0–7, with and
    /// without kid context (0, 1 and 32 bytes) and Partial IVs of every encoded length; the
    /// general encoder is checked against RFC 8613 Appendix C.
    #[test]
    fn request_template_matches_encode() {
        let kid_bytes = [1u8, 2, 3, 4, 5, 6, 7];
        let ctx_bytes = [0xc7u8; 32];
        for kid_len in 0..=7 {
            let kid = kid_bytes.get(..kid_len).unwrap();
            for ctx in [
                None,
                Some(&[][..]),
                Some(&ctx_bytes[..1]),
                Some(&ctx_bytes[..]),
            ] {
                let t = RequestOptionTemplate::new(ctx, kid).unwrap();
                for seq in [
                    0u64,
                    1,
                    0xff,
                    0x100,
                    0xffff,
                    0x1_0000,
                    0x12_3456_789a,
                    (1 << 40) - 1,
                ] {
                    let piv = PartialIv::new(seq).unwrap();
                    let general = OscoreOption {
                        partial_iv: Some(piv),
                        kid_context: ctx,
                        kid: Some(kid),
                    };
                    let mut a = [0u8; MAX_ENCODED_LEN];
                    let expected = general.encode(&mut a).unwrap();
                    let mut b = [0u8; MAX_ENCODED_LEN];
                    let len = t.write(piv, &mut b);
                    assert_eq!(
                        b.get(..len).unwrap(),
                        expected,
                        "kid {kid_len} ctx {ctx:?} seq {seq}"
                    );
                }
            }
        }
    }

    /// The template recognises only values the general decoder reads as its kid and kid
    /// context with a Partial IV; every other value (other kid, other or missing kid context,
    /// no or non-minimal Partial IV, reserved bits, trailing bytes) is left to that decoder.
    #[test]
    fn request_template_recognises_only_its_own_values() {
        let t = RequestOptionTemplate::new(Some(&[0x37, 0xcb]), &[0x01]).unwrap();
        let own = [0x19u8, 0x05, 0x02, 0x37, 0xcb, 0x01];
        assert_eq!(t.partial_iv_of(&own), PartialIv::new(5));
        let general = OscoreOption::decode(&own).unwrap();
        assert_eq!(general.partial_iv, PartialIv::new(5));
        assert_eq!(general.kid, Some(&[0x01][..]));
        assert_eq!(general.kid_context, Some(&[0x37, 0xcb][..]));
        for other in [
            &[0x19u8, 0x05, 0x02, 0x37, 0xcb, 0x02][..], // other kid
            &[0x19, 0x05, 0x02, 0x37, 0xcb, 0x01, 0x00], // longer kid
            &[0x19, 0x05, 0x02, 0x37, 0xcc, 0x01],       // other kid context
            &[0x09, 0x05, 0x01],                         // no kid context
            &[0x18, 0x02, 0x37, 0xcb, 0x01],             // no Partial IV
            &[0x1a, 0x00, 0x05, 0x02, 0x37, 0xcb, 0x01], // non-minimal Partial IV
            &[0x39, 0x05, 0x02, 0x37, 0xcb, 0x01],       // reserved bit
            &[0x1e, 0x05],                               // n = 6, truncated
            &[0x19],                                     // truncated
            &[],
        ] {
            assert_eq!(t.partial_iv_of(other), None, "{other:02x?}");
        }
        let no_ctx = RequestOptionTemplate::new(None, &[]).unwrap();
        assert_eq!(no_ctx.partial_iv_of(&[0x09, 0x14]), PartialIv::new(20));
        assert_eq!(no_ctx.partial_iv_of(&[0x09, 0x14, 0x00]), None);
        assert_eq!(no_ctx.partial_iv_of(&[0x01, 0x14]), None);
    }
}
