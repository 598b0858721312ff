//! CBOR diagnostic notation (RFC 8949 §8, with RFC 8610 Appendix G's `h'..'` byte strings)
//! for printing messages and tokens readably.

use std::fmt::Write as _;

use ciborium::Value;

/// Diagnostic notation of one value, on one line.
pub fn value(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// Diagnostic notation of `bytes` if they are exactly one CBOR item, else `h'..'`.
pub fn bytes(bytes: &[u8]) -> String {
    let mut reader = bytes;
    match ciborium::from_reader::<Value, _>(&mut reader) {
        Ok(v) if reader.is_empty() => value(&v),
        _ => hex_bytes(bytes),
    }
}

fn hex_bytes(b: &[u8]) -> String {
    let mut s = String::from("h'");
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s.push('\'');
    s
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Integer(i) => {
            let _ = write!(out, "{}", i128::from(*i));
        }
        Value::Bytes(b) => out.push_str(&hex_bytes(b)),
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Text(t) => {
            let _ = write!(out, "{t:?}");
        }
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Null => out.push_str("null"),
        Value::Tag(t, inner) => {
            let _ = write!(out, "{t}(");
            write_value(out, inner);
            out.push(')');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, k);
                out.push_str(": ");
                write_value(out, val);
            }
            out.push('}');
        }
        _ => out.push_str("undefined"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8949_appendix_a_examples_print_as_specified() {
        // RFC 8949 Appendix A: 0xa201020304 is {1: 2, 3: 4}; 0x4401020304 is h'01020304';
        // 0x8301820203820405 is [1, [2, 3], [4, 5]]; 0xc11a514b67b0 is 1(1363896240);
        // 0x6449455446 is "IETF"; 0xf6 is null.
        assert_eq!(bytes(&[0xa2, 0x01, 0x02, 0x03, 0x04]), "{1: 2, 3: 4}");
        assert_eq!(bytes(&[0x44, 1, 2, 3, 4]), "h'01020304'");
        assert_eq!(
            bytes(&[0x83, 0x01, 0x82, 0x02, 0x03, 0x82, 0x04, 0x05]),
            "[1, [2, 3], [4, 5]]"
        );
        assert_eq!(
            bytes(&[0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0]),
            "1(1363896240)"
        );
        assert_eq!(bytes(&[0x64, 0x49, 0x45, 0x54, 0x46]), "\"IETF\"");
        assert_eq!(bytes(&[0xf6]), "null");
        assert_eq!(bytes(&[0x20]), "-1");
    }

    #[test]
    fn non_cbor_or_trailing_bytes_print_as_hex() {
        assert_eq!(bytes(&[0x01, 0x02]), "h'0102'");
        assert_eq!(bytes(&[0xff]), "h'ff'");
    }
}
