//! `ace token decode`: show a CWT's COSE structure and claims (RFC 8392 §7.2); with keys,
//! verify or decrypt it.

use std::path::PathBuf;

use ace_cwt::{KeySet, verify};
use ciborium::Value;

/// `ace token ...`
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Show the COSE structure and claims of a token; with --key, verify or decrypt it.
    Decode(DecodeArgs),
}

#[derive(clap::Args)]
struct DecodeArgs {
    /// The token, hex.
    hex: Option<String>,
    /// Read the token from a file (hex or raw CBOR) instead.
    #[arg(long)]
    file: Option<PathBuf>,
    /// A COSE_Key (hex, or a file holding hex or CBOR); repeat for nested tokens.
    #[arg(long)]
    key: Vec<String>,
}

/// RFC 8392 §4, RFC 8747 §3.1, RFC 9200 §8.14: names of the claim keys.
fn claim_name(key: &Value) -> Option<&'static str> {
    let Value::Integer(i) = key else { return None };
    Some(match i128::from(*i) {
        1 => "iss",
        2 => "sub",
        3 => "aud",
        4 => "exp",
        5 => "nbf",
        6 => "iat",
        7 => "cti",
        8 => "cnf",
        9 => "scope",
        38 => "ace_profile",
        39 => "cnonce",
        40 => "exi",
        _ => return None,
    })
}

fn print_claims(indent: &str, claims: &Value) {
    let Value::Map(entries) = claims else {
        println!(
            "{indent}payload is not a claims map: {}",
            crate::diag::value(claims)
        );
        return;
    };
    for (k, v) in entries {
        let name = claim_name(k).map(|n| format!("{n} ")).unwrap_or_default();
        println!(
            "{indent}{name}({}): {}",
            crate::diag::value(k),
            crate::diag::value(v)
        );
    }
}

fn decode_cbor(bytes: &[u8]) -> Option<Value> {
    let mut reader = bytes;
    let v = ciborium::from_reader::<Value, _>(&mut reader).ok()?;
    reader.is_empty().then_some(v)
}

/// Print one COSE layer; recurse into a nested tagged payload.
fn show(indent: &str, value: &Value) {
    let (name, items) = match value {
        Value::Tag(61, inner) => {
            println!("{indent}CWT tag 61");
            return show(indent, inner);
        }
        Value::Tag(18, inner) => ("COSE_Sign1 (tag 18)", inner.as_ref()),
        Value::Tag(17, inner) => ("COSE_Mac0 (tag 17)", inner.as_ref()),
        Value::Tag(16, inner) => ("COSE_Encrypt0 (tag 16)", inner.as_ref()),
        Value::Array(_) => ("untagged COSE array", value),
        other => {
            println!("{indent}not a COSE object: {}", crate::diag::value(other));
            return;
        }
    };
    println!("{indent}{name}");
    let Value::Array(items) = items else {
        println!("{indent}  malformed: {}", crate::diag::value(items));
        return;
    };
    if let Some(Value::Bytes(p)) = items.first() {
        let shown = if p.is_empty() {
            "{}".to_string()
        } else {
            crate::diag::bytes(p)
        };
        println!("{indent}  protected: {shown}");
    }
    if let Some(u) = items.get(1) {
        println!("{indent}  unprotected: {}", crate::diag::value(u));
    }
    let encrypted = matches!(value, Value::Tag(16, _)) || items.len() == 3;
    match items.get(2) {
        Some(Value::Bytes(c)) if encrypted => {
            println!(
                "{indent}  ciphertext: {} bytes (give --key to decrypt)",
                c.len()
            )
        }
        Some(Value::Bytes(payload)) => match decode_cbor(payload) {
            Some(inner @ Value::Tag(..)) => {
                println!("{indent}  payload: nested");
                show(&format!("{indent}    "), &inner);
            }
            Some(claims) => {
                println!("{indent}  payload (claims, not verified):");
                print_claims(&format!("{indent}    "), &claims);
            }
            None => println!("{indent}  payload: {}", crate::diag::bytes(payload)),
        },
        Some(other) => println!("{indent}  payload: {}", crate::diag::value(other)),
        None => {}
    }
    if let Some(Value::Bytes(t)) = items.get(3) {
        println!("{indent}  signature/tag: h'{}'", hex::encode(t));
    }
}

fn read_token(args: &DecodeArgs) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    match (&args.hex, &args.file) {
        (Some(h), None) => Ok(hex::decode(h.trim()).map_err(|e| format!("token is not hex: {e}"))?),
        (None, Some(path)) => {
            let raw = std::fs::read(path)?;
            Ok(std::str::from_utf8(&raw)
                .ok()
                .and_then(|t| hex::decode(t.trim()).ok())
                .unwrap_or(raw))
        }
        _ => Err("give the token as HEX or with --file (not both)".into()),
    }
}

/// Run `ace token ...`.
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let Command::Decode(args) = args.command;
    let token = read_token(&args)?;
    let value = decode_cbor(&token).ok_or("the token is not exactly one CBOR item")?;
    println!("CBOR: {}", crate::diag::value(&value));
    show("", &value);
    if args.key.is_empty() {
        return Ok(());
    }
    let keys: KeySet = args
        .key
        .iter()
        .map(|k| crate::keygen::read_key(k))
        .collect::<Result<_, _>>()?;
    let verified = verify(&token, &keys).map_err(|e| format!("token refused: {e}"))?;
    for layer in verified.layers() {
        let kid = layer
            .kid
            .as_ref()
            .map(|k| format!(" kid h'{k}'"))
            .unwrap_or_default();
        println!(
            "verified: {:?} {}{kid}",
            layer.structure,
            crate::keygen::algorithm_name(layer.alg)
        );
    }
    println!("claims (verified):");
    print_claims("  ", &verified.claims().to_cbor_value()?);
    Ok(())
}
