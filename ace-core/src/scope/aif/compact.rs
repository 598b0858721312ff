//! RFC 9237 §3 AIF-REST in its common encoding, read in place.
//!
//! [`AifScope::from_cbor_bytes`] is on the RS's `/authz-info` path (RFC 9200 §5.10.1.1: the RS
//! must recognize the `scope` of every token). Its general path decodes through a
//! `ciborium::Value` tree (with a 4 KiB scratch buffer zeroed per call), then checks the tree.
//! Almost every scope is a short array of `[path, methods]` pairs in preferred CBOR encoding
//! (RFC 8949 §4.2.1); this module reads exactly that shape from the bytes, building only the
//! result.
//!
//! It only ever *accepts*: any other shape (indefinite lengths, non-preferred heads, tags,
//! more than [`MAX_ENTRIES`] entries, paths longer than [`MAX_PATH_LEN`]) and every input the
//! general path refuses (bad UTF-8, a path not starting with `/`, undefined method bits,
//! duplicate paths, trailing bytes) gives `None`, and the caller runs the general path, which
//! gives the result and the precise error. The tests check that whenever this accepts, the
//! general path returns the identical `AifScope`.

use alloc::string::String;
use alloc::vec::Vec;

use super::{AifEntry, AifScope, RestMethodSet};

/// RFC 8949 §3.1 major types.
const UNSIGNED: u8 = 0;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;

/// Scopes with more entries go to the general path (the duplicate check here is quadratic).
pub(super) const MAX_ENTRIES: u64 = 16;
/// Longer paths go to the general path.
pub(super) const MAX_PATH_LEN: u64 = 255;

/// A cursor over borrowed CBOR bytes.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    /// RFC 8949 §3: the head of the next item, which must be of `major`, with its argument
    /// in preferred (shortest) encoding; indefinite lengths and reserved values are `None`.
    fn expect(&mut self, major: u8) -> Option<u64> {
        let initial = self.byte()?;
        if initial >> 5 != major {
            return None;
        }
        match initial & 0x1f {
            info @ 0..=23 => Some(u64::from(info)),
            24 => Some(u64::from(self.byte()?)).filter(|v| *v >= 24),
            25 => {
                let v = u16::from_be_bytes(self.take(2)?.try_into().ok()?);
                Some(u64::from(v)).filter(|v| *v > 0xff)
            }
            26 => {
                let v = u32::from_be_bytes(self.take(4)?.try_into().ok()?);
                Some(u64::from(v)).filter(|v| *v > 0xffff)
            }
            27 => Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
                .filter(|v| *v > 0xffff_ffff),
            _ => None,
        }
    }
}

/// `[* [local-path: tstr, methods: uint]]` with unique paths starting with `/` and only the
/// method bits RFC 9237 §3 defines; `None` for anything else.
pub(super) fn decode(bytes: &[u8]) -> Option<AifScope> {
    let mut r = Reader { rest: bytes };
    let n = r.expect(ARRAY)?;
    if n > MAX_ENTRIES {
        return None;
    }
    let mut entries: Vec<AifEntry> = Vec::with_capacity(usize::try_from(n).ok()?);
    for _ in 0..n {
        if r.expect(ARRAY)? != 2 {
            return None;
        }
        let len = r.expect(TEXT)?;
        if len > MAX_PATH_LEN {
            return None;
        }
        let path = core::str::from_utf8(r.take(usize::try_from(len).ok()?)?).ok()?;
        if !path.starts_with('/') || entries.iter().any(|e| e.path == path) {
            return None;
        }
        let methods = RestMethodSet::from_bits(r.expect(UNSIGNED)?)?;
        entries.push(AifEntry {
            path: String::from(path),
            methods,
        });
    }
    r.rest.is_empty().then_some(AifScope { entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Method;
    use proptest::prelude::*;

    /// The general path's answer for `bytes`.
    fn general(bytes: &[u8]) -> Result<AifScope, crate::Error> {
        AifScope::from_cbor_bytes_general(bytes)
    }

    /// The property every test checks: accepting here implies the general path accepts the
    /// same bytes with the identical scope.
    fn assert_agrees(bytes: &[u8]) -> bool {
        match decode(bytes) {
            Some(fast) => {
                assert_eq!(general(bytes), Ok(fast), "bytes {}", hex::encode(bytes));
                true
            }
            None => false,
        }
    }

    fn sample() -> AifScope {
        AifScope::new()
            .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap()
            .allow(
                "/a/very/long/path/to/a/resource?with=query",
                RestMethodSet::EMPTY
                    .with(Method::Put)
                    .with(Method::Post)
                    .with_dynamic(Method::Get),
            )
            .unwrap()
            .allow("/", RestMethodSet::EMPTY)
            .unwrap()
    }

    #[test]
    fn common_encodings_are_read_here_and_equal_the_general_path() {
        for scope in [AifScope::new(), sample()] {
            let bytes = scope.to_cbor_bytes();
            assert!(assert_agrees(&bytes));
            assert_eq!(decode(&bytes), Some(scope.clone()));
            assert_eq!(AifScope::from_cbor_bytes(&bytes), Ok(scope));
        }
        // [["/s/temp", 1], ["/a/led", 5]], written by hand.
        let mut fig = alloc::vec![0x82, 0x82, 0x67];
        fig.extend_from_slice(b"/s/temp");
        fig.extend_from_slice(&[0x01, 0x82, 0x66]);
        fig.extend_from_slice(b"/a/led");
        fig.push(0x05);
        assert!(assert_agrees(&fig));
        assert_eq!(general(&fig).unwrap().entries().len(), 2);
    }

    #[test]
    fn every_mutation_and_truncation_agrees_with_the_general_path() {
        let bytes = sample().to_cbor_bytes();
        let mut accepted = 0;
        for len in 0..bytes.len() {
            assert!(!assert_agrees(&bytes[..len]), "a truncation is never valid");
        }
        for i in 0..bytes.len() {
            for v in 0..=255u8 {
                let mut m = bytes.clone();
                m[i] = v;
                accepted += usize::from(assert_agrees(&m));
            }
        }
        // Path characters and method bits can change validly, so many mutants are accepted.
        assert!(accepted > 100, "only {accepted} mutants were read here");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(!assert_agrees(&longer), "trailing bytes");
    }

    #[test]
    fn other_encodings_fall_back_and_keep_their_general_result() {
        let cases: &[&[u8]] = &[
            // indefinite-length outer array: [_ ["/x", 1]]
            b"\x9f\x82\x62/x\x01\xff",
            // non-preferred array head (0x98 0x01) and method (0x18 0x01)
            b"\x98\x01\x82\x62/x\x01",
            b"\x81\x82\x62/x\x18\x01",
            // a tag on the outer array
            b"\xd8\x1e\x81\x82\x62/x\x01",
            // duplicate path, bad first character, negative methods, undefined bit
            b"\x82\x82\x62/x\x01\x82\x62/x\x02",
            b"\x81\x82\x62ax\x01",
            b"\x81\x82\x62/x\x20",
            b"\x81\x82\x62/x\x18\x80",
            // invalid UTF-8
            b"\x81\x82\x62/\xff\x01",
        ];
        for bytes in cases {
            assert_eq!(decode(bytes), None, "{}", hex::encode(bytes));
            assert_eq!(AifScope::from_cbor_bytes(bytes), general(bytes));
        }
        assert!(
            general(b"\x9f\x82\x62/x\x01\xff").is_ok(),
            "the general path reads it"
        );
    }

    #[test]
    fn limits_fall_back_to_the_general_path() {
        let mut many = AifScope::new();
        for i in 0..=MAX_ENTRIES {
            many = many
                .allow(
                    &alloc::format!("/{i}"),
                    RestMethodSet::EMPTY.with(Method::Get),
                )
                .unwrap();
        }
        let bytes = many.to_cbor_bytes();
        assert_eq!(decode(&bytes), None);
        assert_eq!(AifScope::from_cbor_bytes(&bytes), Ok(many));
        let long = alloc::format!("/{}", "p".repeat(MAX_PATH_LEN as usize));
        let one = AifScope::new()
            .allow(&long, RestMethodSet::EMPTY.with(Method::Get))
            .unwrap();
        let bytes = one.to_cbor_bytes();
        assert_eq!(decode(&bytes), None);
        assert_eq!(AifScope::from_cbor_bytes(&bytes), Ok(one));
    }

    proptest! {
        /// Arbitrary `[path, int]` arrays (paths from a small alphabet so that duplicates and
        /// missing slashes occur; any integer, so undefined bits and negatives occur).
        #[test]
        fn arbitrary_pair_arrays_agree(
            pairs in proptest::collection::vec(("[/a]{0,3}", any::<i64>()), 0..20),
        ) {
            let value = ciborium::Value::Array(
                pairs
                    .iter()
                    .map(|(p, m)| {
                        ciborium::Value::Array(alloc::vec![
                            ciborium::Value::Text(p.clone()),
                            ciborium::Value::Integer((*m).into()),
                        ])
                    })
                    .collect(),
            );
            let mut bytes = Vec::new();
            ciborium::into_writer(&value, &mut bytes).unwrap();
            let fast = assert_agrees(&bytes);
            let valid = general(&bytes).is_ok();
            // Inside the limits, every valid scope is read here.
            prop_assert_eq!(fast, valid && pairs.len() as u64 <= MAX_ENTRIES);
        }

        #[test]
        fn arbitrary_bytes_agree(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            assert_agrees(&bytes);
        }
    }
}
