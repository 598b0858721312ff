//! Keys and certificates on disk, as PEM files a user can inspect (`openssl x509 -in ...`).

use est_coaps::der::{DecodePem, EncodePem, pem::LineEnding};
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use est_coaps::x509_cert::Certificate;
use std::path::Path;

/// Boxed error of the command.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads every certificate of a PEM file.
pub fn read_certs(path: &Path) -> Result<Vec<Certificate>, BoxError> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs =
        Certificate::load_pem_chain(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", path.display()).into());
    }
    Ok(certs)
}

/// Reads one certificate.
pub fn read_cert(path: &Path) -> Result<Certificate, BoxError> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// Writes certificates as PEM.
pub fn write_certs(path: &Path, certs: &[Certificate]) -> Result<(), BoxError> {
    let mut s = String::new();
    for c in certs {
        s.push_str(&c.to_pem(LineEnding::LF)?);
    }
    std::fs::write(path, s).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// Reads a P-256 private key (PKCS#8 PEM `PRIVATE KEY`, or SEC1 `EC PRIVATE KEY` as
/// `openssl ecparam -genkey` writes it).
pub fn read_key(path: &Path) -> Result<SigningKey, BoxError> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Ok(k) = SigningKey::from_pkcs8_pem(&pem) {
        return Ok(k);
    }
    use est_coaps::p256::SecretKey;
    let sk = SecretKey::from_sec1_pem(&pem)
        .map_err(|e| format!("{}: not a P-256 key: {e}", path.display()))?;
    Ok(SigningKey::from(sk))
}

/// Writes a private key as PKCS#8 PEM.
pub fn write_key(path: &Path, key: &SigningKey) -> Result<(), BoxError> {
    let pem = key.to_pkcs8_pem(LineEnding::LF)?;
    std::fs::write(path, pem.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// Writes a PKCS#8 DER key as PEM.
pub fn write_pkcs8_der(path: &Path, der: &[u8]) -> Result<(), BoxError> {
    let key = SigningKey::from_pkcs8_der(der)?;
    write_key(path, &key)
}

/// PKCS#8 DER of a key (what dimpl loads).
pub fn pkcs8_der(key: &SigningKey) -> Result<Vec<u8>, BoxError> {
    Ok(key.to_pkcs8_der()?.as_bytes().to_vec())
}
