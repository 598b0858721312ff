//! Content-Format 280 against OpenSSL's CMS implementation, run as a real process (RFC 7030
//! §4.4.2, RFC 9148 §5.8): `openssl cms -decrypt` opens what our server sends (KEKRecipientInfo
//! with AES-128 and AES-256 key wrap, KeyAgreeRecipientInfo with ECDH P-256), `openssl cms
//! -verify` accepts the signed key package inside, and the key OpenSSL takes out is the one
//! our client takes out and the one the certificate certifies. The other way round, our
//! client verifies a key package signed by `openssl cms -sign`. When `openssl` is missing the
//! tests FAIL saying so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::der::{EncodePem, pem::LineEnding};
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::p256::pkcs8::EncodePrivateKey;
use est_coaps::*;

/// A DER TLV: (tag, value) and the rest.
fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
    let (len, hdr) = match b[1] {
        n if n < 0x80 => (n as usize, 2),
        0x81 => (b[2] as usize, 3),
        0x82 => (((b[2] as usize) << 8) | b[3] as usize, 4),
        n => panic!("length form {n:#x}"),
    };
    (b[0], &b[hdr..hdr + len], &b[hdr + len..])
}

fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..0x80 => vec![n as u8],
        0x80..0x100 => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

fn tagged(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(content.len()));
    v.extend_from_slice(content);
    v
}

/// RFC 5652 §3: ContentInfo { id-signedData, [0] EXPLICIT SignedData }.
fn signed_data_content_info(sd: &[u8]) -> Vec<u8> {
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let mut inner = oid.to_vec();
    inner.extend(tagged(0xa0, sd));
    tagged(0x30, &inner)
}

struct Issued {
    sealed: Vec<u8>,
    pkcs8: Vec<u8>,
    certificate: est_coaps::x509_cert::Certificate,
}

fn skg(f: &mut Fixture<ApproveAll>, decryption: KeyDecryption, wraps: &[KeyWrap]) -> Issued {
    let p = KeyProtection::new(decryption.protection_key(), wraps).unwrap();
    let throwaway = SigningKey::generate_from_rng(&mut rng_seeded(8));
    let csr = build_serverkeygen_csr(&name("CN=skg interop"), &throwaway, Some(&p)).unwrap();
    let c = EstClient::new(EstPath::default(), vec![f.ca_cert.clone()]);
    let mut e = c
        .serverkeygen(csr.to_der().unwrap(), false)
        .decrypting_with(decryption);
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    assert_eq!(
        resp.code,
        Code::CHANGED,
        "{}",
        String::from_utf8_lossy(&resp.payload)
    );
    let sealed = Multipart::decode(&resp.payload)
        .unwrap()
        .find(ContentFormat::Pkcs7ServerGeneratedKey)
        .unwrap()
        .to_vec();
    let Step::IssuedWithKey { pkcs8, certificate } = e.on_response(&view(&resp), NOW).unwrap()
    else {
        panic!()
    };
    Issued {
        sealed,
        pkcs8,
        certificate,
    }
}

/// OpenSSL verifies the decrypted SignedData against the CA and gives the key package; the
/// key in it must be our client's key and certified by the issued certificate.
fn check_with_openssl(d: &std::path::Path, ca: &str, signed_data: &[u8], issued: &Issued) {
    let ci = write(d, "signed.der", &signed_data_content_info(signed_data));
    let pkg = d.join("package.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        &ci,
        "-CAfile",
        ca,
        "-purpose",
        "any",
        "-attime",
        &(NOW.0 + 60).to_string(),
        "-binary",
        "-out",
        &pkg,
    ]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    // AsymmetricKeyPackage ::= SEQUENCE SIZE (1..MAX) OF OneAsymmetricKey (RFC 5958 §4).
    let package = std::fs::read(&pkg).unwrap();
    let (tag, keys, rest) = tlv(&package);
    assert_eq!((tag, rest.len()), (0x30, 0));
    assert_eq!(
        keys,
        issued.pkcs8.as_slice(),
        "OpenSSL's key differs from ours"
    );
    let k = write(d, "key.der", keys);
    let spki = d.join("spki.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "pkey", "-inform", "DER", "-in", &k, "-pubout", "-outform", "DER", "-out", &spki,
    ]);
    assert!(ok, "{text}");
    let cert_spki = est_coaps::der::Encode::to_der(
        issued
            .certificate
            .tbs_certificate()
            .subject_public_key_info(),
    )
    .unwrap();
    assert_eq!(std::fs::read(&spki).unwrap(), cert_spki);
}

#[test]
fn openssl_opens_kek_recipient_info_with_aes128_and_aes256_wrap() {
    let d = tmpdir("cms-kek");
    for kek in [vec![0x5au8; 16], vec![0xa5u8; 32]] {
        let id = b"kek-interop".to_vec();
        let mut f = fixture(ApproveAll);
        f.server = f
            .server
            .with_decrypt_keys(DecryptKeys::new().with_secret(&id, &kek).unwrap());
        let ca = write(
            &d,
            "ca.pem",
            f.ca_cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
        );
        let issued = skg(
            &mut f,
            KeyDecryption::Kek {
                id: id.clone(),
                key: kek.clone(),
            },
            &[KeyWrap::Aes128, KeyWrap::Aes256],
        );
        let sealed = write(&d, "sealed.der", &issued.sealed);
        let (ok, text) = openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", &sealed]);
        let wrap = if kek.len() == 16 {
            "id-aes128-wrap"
        } else {
            "id-aes256-wrap"
        };
        let cbc = if kek.len() == 16 {
            "aes-128-cbc"
        } else {
            "aes-256-cbc"
        };
        assert!(
            ok && text.contains("d.kekri") && text.contains(wrap),
            "{text}"
        );
        assert!(
            text.contains(cbc) && text.contains("contentType: pkcs7-signedData"),
            "{text}"
        );
        let out = d.join("sd.der").to_string_lossy().into_owned();
        let (ok, text) = openssl(&[
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            &sealed,
            "-secretkey",
            &hex::encode(&kek),
            "-secretkeyid",
            &hex::encode(&id),
            "-binary",
            "-out",
            &out,
        ]);
        assert!(ok, "{text}");
        check_with_openssl(&d, &ca, &std::fs::read(&out).unwrap(), &issued);
        // The wrong key is refused by OpenSSL too.
        let (ok, _) = openssl(&[
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            &sealed,
            "-secretkey",
            &hex::encode(vec![0u8; kek.len()]),
            "-secretkeyid",
            &hex::encode(&id),
            "-out",
            &out,
        ]);
        assert!(!ok, "OpenSSL decrypted with a wrong key-encryption key");
    }
}

#[test]
fn openssl_opens_key_agree_recipient_info_to_the_device_certificate() {
    let d = tmpdir("cms-kari");
    let mut f = fixture(ApproveAll);
    let ca = write(
        &d,
        "ca.pem",
        f.ca_cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let decryption = KeyDecryption::for_certificate(&f.device_cert, &f.device_key).unwrap();
    let issued = skg(&mut f, decryption, &[KeyWrap::Aes128]);
    let sealed = write(&d, "sealed.der", &issued.sealed);
    let (ok, text) = openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", &sealed]);
    assert!(ok && text.contains("d.kari"), "{text}");
    assert!(
        text.contains("dhSinglePass-stdDH-sha256kdf-scheme"),
        "{text}"
    );
    let recip = write(
        &d,
        "device.pem",
        f.device_cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let key = write(
        &d,
        "device.key",
        f.device_key
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .as_bytes(),
    );
    let out = d.join("sd.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "cms", "-decrypt", "-inform", "DER", "-in", &sealed, "-recip", &recip, "-inkey", &key,
        "-binary", "-out", &out,
    ]);
    assert!(ok, "{text}");
    check_with_openssl(&d, &ca, &std::fs::read(&out).unwrap(), &issued);
}

#[test]
fn our_client_verifies_a_key_package_signed_by_openssl() {
    let d = tmpdir("cms-sign");
    let f = fixture(ApproveAll);
    // The signer: the test CA, as PEM files for OpenSSL.
    let ca = write(
        &d,
        "ca.pem",
        f.ca_cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let ca_key = write(
        &d,
        "ca.key",
        f.server
            .ca()
            .key()
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .as_bytes(),
    );
    // A key generated by OpenSSL, packaged as a one-key AsymmetricKeyPackage.
    let k = d.join("gen.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-outform",
        "DER",
        "-out",
        &k,
    ]);
    assert!(ok, "{text}");
    let pkcs8 = std::fs::read(&k).unwrap();
    let pkg = write(&d, "package.der", &tagged(0x30, &pkcs8));
    let signed = d.join("signed.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-md",
        "sha256",
        "-econtent_type",
        "2.16.840.1.101.2.1.2.78.5",
        "-in",
        &pkg,
        "-signer",
        &ca,
        "-inkey",
        &ca_key,
        "-outform",
        "DER",
        "-out",
        &signed,
    ]);
    assert!(ok, "{text}");
    // ContentInfo { id-signedData, [0] { SignedData } }: take the SignedData out.
    let ci = std::fs::read(&signed).unwrap();
    let (_, body, _) = tlv(&ci);
    let (_, _oid, rest) = tlv(body);
    let (tag, explicit, _) = tlv(rest);
    assert_eq!(tag, 0xa0);
    let key = est_coaps::key_package::verify(explicit, std::slice::from_ref(&f.ca_cert)).unwrap();
    assert_eq!(key, pkcs8);
    // A different trust anchor: refused.
    let other = Ca::new_root(
        name("CN=Other"),
        SigningKey::generate_from_rng(&mut rng_seeded(21)),
        ApproveAll,
        NOW,
        86400,
        1,
    )
    .unwrap();
    assert_eq!(
        est_coaps::key_package::verify(explicit, &[other.certificate().unwrap().clone()]),
        Err(Error::KeyPackageRejected(
            "signer does not chain to a trust anchor"
        ))
    );
}
