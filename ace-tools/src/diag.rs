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

/// Names a map key for [`annotated`]: given the integer keys of the enclosing maps (outermost
/// first), the entries of the map being printed, and the key, returns the parameter name
/// printed as a comment before it, or `None` to print the key bare.
pub type Namer<'a> = &'a dyn Fn(&[i128], &[(Value, Value)], &Value) -> Option<&'static str>;

/// Diagnostic notation of one value in the style of RFC 9200's figures: each named map key
/// is preceded by its name as a comment, `{ / access_token / 1 : h'..', ... }`.
pub fn annotated(v: &Value, namer: Namer<'_>) -> String {
    let mut out = String::new();
    write_annotated(&mut out, v, namer, &mut Vec::new());
    out
}

/// [`annotated`] of `bytes` if they are exactly one CBOR item, else `h'..'`.
pub fn bytes_annotated(bytes: &[u8], namer: Namer<'_>) -> String {
    let mut reader = bytes;
    match ciborium::from_reader::<Value, _>(&mut reader) {
        Ok(v) if reader.is_empty() => annotated(&v, namer),
        _ => hex_bytes(bytes),
    }
}

fn write_annotated(out: &mut String, v: &Value, namer: Namer<'_>, path: &mut Vec<i128>) {
    match v {
        Value::Map(entries) => {
            out.push_str("{ ");
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if let Some(name) = namer(path, entries, k) {
                    let _ = write!(out, "/ {name} / ");
                }
                write_value(out, k);
                out.push_str(" : ");
                let nested = match k {
                    Value::Integer(n) => Some(i128::from(*n)),
                    _ => None,
                };
                match nested {
                    Some(n) => {
                        path.push(n);
                        write_annotated(out, val, namer, path);
                        path.pop();
                    }
                    None => write_value(out, val),
                }
            }
            out.push_str(" }");
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_annotated(out, item, namer, path);
            }
            out.push(']');
        }
        other => write_value(out, other),
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
    fn annotated_maps_carry_the_namers_names_by_nesting() {
        // {1: h'01', 8: {1: {1: 4}}, 99: 0} with a namer that knows 1 and 8 at the top and
        // 1 only inside 8.
        let v = Value::Map(vec![
            (Value::from(1), Value::Bytes(vec![1])),
            (
                Value::from(8),
                Value::Map(vec![(
                    Value::from(1),
                    Value::Map(vec![(Value::from(1), Value::from(4))]),
                )]),
            ),
            (Value::from(99), Value::from(0)),
        ]);
        let namer = |path: &[i128], _: &[(Value, Value)], k: &Value| match (path, k) {
            ([], Value::Integer(i)) if i128::from(*i) == 1 => Some("access_token"),
            ([], Value::Integer(i)) if i128::from(*i) == 8 => Some("cnf"),
            ([8], Value::Integer(i)) if i128::from(*i) == 1 => Some("COSE_Key"),
            _ => None,
        };
        assert_eq!(
            annotated(&v, &namer),
            "{ / access_token / 1 : h'01', / cnf / 8 : { / COSE_Key / 1 : { 1 : 4 } }, 99 : 0 }"
        );
    }

    #[test]
    fn non_cbor_or_trailing_bytes_print_as_hex() {
        assert_eq!(bytes(&[0x01, 0x02]), "h'0102'");
        assert_eq!(bytes(&[0xff]), "h'ff'");
    }
}
