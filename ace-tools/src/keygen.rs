//! `ace keygen`: make a COSE_Key (RFC 9052 §7) and print it as hex CBOR and in CBOR
//! diagnostic notation.

use std::path::PathBuf;

use ace_cwt::{Algorithm, KeyId, PopKey};

/// The key types `ace keygen` makes (RFC 9053 §7).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum KeyType {
    /// kty 4 (Symmetric): random bytes of the algorithm's key length.
    Symmetric,
    /// kty 2 (EC2), crv 1 (P-256), alg ES256.
    P256,
    /// kty 1 (OKP), crv 6 (Ed25519), alg EdDSA.
    Ed25519,
    /// kty 1 (OKP), crv 4 (X25519), no alg.
    X25519,
}

/// Arguments of `ace keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// Key type.
    #[arg(long = "type", value_enum)]
    pub kind: KeyType,
    /// COSE algorithm by name (e.g. AES-CCM-16-64-128, HMAC256/256, A128GCM, ES256, EdDSA) or
    /// number; a symmetric key defaults to AES-CCM-16-64-128.
    #[arg(long)]
    pub alg: Option<String>,
    /// Key identifier, hex.
    #[arg(long)]
    pub kid: Option<String>,
    /// Also write the COSE_Key (hex) to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// COSE algorithm names (IANA "COSE Algorithms" registry) of the algorithms ace-cwt implements.
pub fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::Es256 => "ES256",
        Algorithm::EdDsa => "EdDSA",
        Algorithm::Hmac256_64 => "HMAC256/64",
        Algorithm::Hmac256_256 => "HMAC256/256",
        Algorithm::Hmac384_384 => "HMAC384/384",
        Algorithm::Hmac512_512 => "HMAC512/512",
        Algorithm::A128Gcm => "A128GCM",
        Algorithm::A192Gcm => "A192GCM",
        Algorithm::A256Gcm => "A256GCM",
        Algorithm::AesCcm16_64_128 => "AES-CCM-16-64-128",
        Algorithm::AesCcm16_64_256 => "AES-CCM-16-64-256",
        Algorithm::AesCcm64_64_128 => "AES-CCM-64-64-128",
        Algorithm::AesCcm64_64_256 => "AES-CCM-64-64-256",
        Algorithm::AesCcm16_128_128 => "AES-CCM-16-128-128",
        Algorithm::AesCcm16_128_256 => "AES-CCM-16-128-256",
        Algorithm::AesCcm64_128_128 => "AES-CCM-64-128-128",
        Algorithm::AesCcm64_128_256 => "AES-CCM-64-128-256",
    }
}

fn parse_algorithm(s: &str) -> Result<Algorithm, Box<dyn std::error::Error>> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(Algorithm::from_i64(n)?);
    }
    Algorithm::ALL
        .iter()
        .copied()
        .find(|a| algorithm_name(*a).eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("unknown algorithm {s:?}").into())
}

/// Read a key given as hex on the command line or as a file holding hex or raw CBOR.
pub fn read_key(arg: &str) -> Result<PopKey, Box<dyn std::error::Error>> {
    let bytes = match hex::decode(arg.trim()) {
        Ok(b) => b,
        Err(_) => {
            let raw = std::fs::read(arg).map_err(|e| format!("key {arg:?}: not hex, and {e}"))?;
            match std::str::from_utf8(&raw)
                .ok()
                .and_then(|t| hex::decode(t.trim()).ok())
            {
                Some(b) => b,
                None => raw,
            }
        }
    };
    Ok(PopKey::from_slice(&bytes)?)
}

/// Run `ace keygen`.
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng: rand::rngs::StdRng = rand::make_rng();
    let kid = args
        .kid
        .as_deref()
        .map(hex::decode)
        .transpose()
        .map_err(|e| format!("--kid must be hex: {e}"))?
        .map(KeyId::from);
    let alg = args.alg.as_deref().map(parse_algorithm).transpose()?;
    let key = match args.kind {
        KeyType::Symmetric => {
            PopKey::generate_symmetric(alg.unwrap_or(Algorithm::AesCcm16_64_128), kid, &mut rng)?
        }
        KeyType::P256 => PopKey::generate_p256(kid, &mut rng),
        KeyType::Ed25519 => PopKey::generate_ed25519(kid, &mut rng),
        KeyType::X25519 => PopKey::generate_x25519(kid, &mut rng),
    };
    if let (Some(alg), KeyType::P256 | KeyType::Ed25519 | KeyType::X25519) = (alg, args.kind) {
        key.check_algorithm(alg)?;
    }
    let bytes = key.to_vec()?;
    println!("COSE_Key (hex): {}", hex::encode(&bytes));
    println!("COSE_Key (diag): {}", crate::diag::bytes(&bytes));
    if let Some(public) = key.to_public() {
        let p = public.to_vec()?;
        println!("public COSE_Key (hex): {}", hex::encode(&p));
    }
    if let Some(path) = args.out {
        std::fs::write(&path, format!("{}\n", hex::encode(&bytes)))?;
        println!("written to {}", path.display());
    }
    Ok(())
}
