//! Decomposition of Proxy-Uri (RFC 8613 §4.1.3.3, RFC 7252 §6.4 and §6.5).

use crate::error::Error;
use crate::option_class::{URI_PATH, URI_QUERY};
use crate::plaintext::PlaintextWriter;

/// RFC 7252 §5.10: Proxy-Uri is at most 1034 bytes.
pub(crate) const MAX_PROXY_URI_LEN: usize = 1034;

/// A Proxy-Uri split as RFC 8613 §4.1.3.3 requires: the outer part (`scheme://authority`,
/// i.e. the composition of Proxy-Scheme, Uri-Host and Uri-Port, RFC 7252 §6.5) stays a Class U
/// Proxy-Uri; the path and query become Class E Uri-Path and Uri-Query options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecomposedProxyUri<'a> {
    pub(crate) outer: &'a [u8],
    path: Option<&'a [u8]>,
    query: Option<&'a [u8]>,
}

impl<'a> DecomposedProxyUri<'a> {
    /// RFC 7252 §6.4: an absolute URI without fragment; [`Error::InvalidProxyUri`] otherwise.
    pub(crate) fn parse(uri: &'a [u8]) -> Result<Self, Error> {
        if uri.contains(&b'#') {
            return Err(Error::InvalidProxyUri);
        }
        let scheme_end = uri
            .windows(3)
            .position(|w| w == b"://")
            .ok_or(Error::InvalidProxyUri)?;
        if scheme_end == 0 {
            return Err(Error::InvalidProxyUri);
        }
        let after = scheme_end + 3;
        let rest = uri.get(after..).ok_or(Error::InvalidProxyUri)?;
        let authority_len = rest
            .iter()
            .position(|b| *b == b'/' || *b == b'?')
            .unwrap_or(rest.len());
        if authority_len == 0 {
            return Err(Error::InvalidProxyUri);
        }
        let (outer, tail) = uri.split_at(after + authority_len);
        let (path_part, query) = match tail.iter().position(|b| *b == b'?') {
            Some(q) => (
                tail.get(..q).unwrap_or(&[]),
                Some(tail.get(q + 1..).unwrap_or(&[])),
            ),
            None => (tail, None),
        };
        // RFC 7252 §6.4 step 8: an empty path or "/" gives no Uri-Path option.
        let path = match path_part {
            [] | [b'/'] => None,
            [b'/', p @ ..] => Some(p),
            _ => return Err(Error::InvalidProxyUri),
        };
        for part in [path, query].into_iter().flatten() {
            decoded_len(part)?;
        }
        Ok(Self { outer, path, query })
    }

    /// Writes the Uri-Path segments (split at '/', percent-decoded).
    pub(crate) fn write_path(&self, w: &mut PlaintextWriter<'_>) -> Result<(), Error> {
        match self.path {
            Some(p) => p
                .split(|b| *b == b'/')
                .try_for_each(|s| write_decoded(w, URI_PATH, s)),
            None => Ok(()),
        }
    }

    /// Writes the Uri-Query arguments (split at '&', percent-decoded).
    pub(crate) fn write_query(&self, w: &mut PlaintextWriter<'_>) -> Result<(), Error> {
        match self.query {
            Some(q) => q
                .split(|b| *b == b'&')
                .try_for_each(|s| write_decoded(w, URI_QUERY, s)),
            None => Ok(()),
        }
    }
}

fn hex(b: u8) -> Result<u8, Error> {
    match b {
        b'0'..=b'9' => Ok(b - b'0'),
        b'a'..=b'f' => Ok(b - b'a' + 10),
        b'A'..=b'F' => Ok(b - b'A' + 10),
        _ => Err(Error::InvalidProxyUri),
    }
}

/// Iterates the percent-decoded bytes of `s` (RFC 3986 §2.1).
fn decoded(s: &[u8]) -> impl Iterator<Item = Result<u8, Error>> + '_ {
    let mut i = 0;
    core::iter::from_fn(move || {
        let b = *s.get(i)?;
        if b != b'%' {
            i += 1;
            return Some(Ok(b));
        }
        let v = match (s.get(i + 1), s.get(i + 2)) {
            (Some(h), Some(l)) => hex(*h).and_then(|h| Ok((h << 4) | hex(*l)?)),
            _ => Err(Error::InvalidProxyUri),
        };
        i += 3;
        Some(v)
    })
}

fn decoded_len(s: &[u8]) -> Result<usize, Error> {
    decoded(s).try_fold(0usize, |n, b| b.map(|_| n + 1))
}

fn write_decoded(w: &mut PlaintextWriter<'_>, number: u16, s: &[u8]) -> Result<(), Error> {
    w.option_from_iter(number, decoded_len(s)?, decoded(s))
}
