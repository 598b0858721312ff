//! Encrypted server-side key generation (Content-Format 280; RFC 9148 §5.8, RFC 7030 §4.4):
//! the four /skg and /skc key formats (digest EP-5/EP-6, prose followed over Table 3), the
//! symmetric (KEKRecipientInfo) and key agreement (KeyAgreeRecipientInfo) cases, and every
//! refusal with its code and the CA unchanged. OpenSSL decrypting and verifying what the
//! server sends is in `openssl_interop.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::p256::SecretKey;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::p256::pkcs8::DecodePrivateKey;
use est_coaps::x509_cert::Certificate;
use est_coaps::x509_cert::ext::pkix::SubjectKeyIdentifier;
use est_coaps::*;

const KEK_ID: &[u8] = b"factory-kek-7";

fn kek128() -> KeyDecryption {
    KeyDecryption::Kek {
        id: KEK_ID.to_vec(),
        key: vec![0x42; 16],
    }
}

fn ski(cert: &Certificate) -> Vec<u8> {
    let (_, ski) = cert
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .unwrap()
        .unwrap();
    ski.0.as_bytes().to_vec()
}

fn device_agreement(f: &Fixture<ApproveAll>) -> KeyDecryption {
    KeyDecryption::for_certificate(&f.device_cert, &f.device_key).unwrap()
}

fn with_keks(mut f: Fixture<ApproveAll>, keks: &[(&[u8], &[u8])]) -> Fixture<ApproveAll> {
    let mut keys = DecryptKeys::new();
    for (id, k) in keks {
        keys = keys.with_secret(id, k).unwrap();
    }
    f.server = f.server.with_decrypt_keys(keys);
    f
}

fn csr(protection: Option<&KeyProtection>) -> Vec<u8> {
    let throwaway = SigningKey::generate_from_rng(&mut rng_seeded(5));
    build_serverkeygen_csr(&name("CN=skg device,O=ACE"), &throwaway, protection)
        .unwrap()
        .to_der()
        .unwrap()
}

fn protection(key: &KeyDecryption, wraps: &[KeyWrap]) -> KeyProtection {
    KeyProtection::new(key.protection_key(), wraps).unwrap()
}

/// Runs /skg or /skc and returns (the multipart formats, the client's result).
fn run(
    f: &mut Fixture<ApproveAll>,
    pkix: bool,
    csr: Vec<u8>,
    decryption: Option<KeyDecryption>,
) -> (Response, Result<Step, Error>) {
    let c = EstClient::new(EstPath::default(), vec![f.ca_cert.clone()]);
    let mut e = c.serverkeygen(csr, pkix);
    if let Some(d) = decryption {
        e = e.decrypting_with(d);
    }
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    let step = e.on_response(&view(&resp), NOW);
    (resp, step)
}

fn formats(resp: &Response) -> Vec<u16> {
    Multipart::decode(&resp.payload)
        .unwrap()
        .parts
        .iter()
        .map(|p| p.content_format)
        .collect()
}

fn assert_key_matches_certificate(step: &Step) {
    let Step::IssuedWithKey { pkcs8, certificate } = step else {
        panic!("{step:?}")
    };
    let key = SigningKey::from_pkcs8_der(pkcs8).unwrap();
    let spki = est_coaps::keygen::spki_of(key.verifying_key()).unwrap();
    assert_eq!(
        certificate.tbs_certificate().subject_public_key_info(),
        &spki
    );
}

#[test]
fn all_four_key_and_certificate_format_combinations() {
    // EP-6: the prose (§5.8) is followed: the CSR chooses 284 or 280 for both /skg and /skc;
    // /skg vs /skc only chooses 281 or 287.
    for pkix in [false, true] {
        for encrypted in [false, true] {
            let mut f = with_keks(fixture(ApproveAll), &[(KEK_ID, &[0x42; 16])]);
            let d = encrypted.then(kek128);
            let p = d.as_ref().map(|d| protection(d, &[KeyWrap::Aes128]));
            let (resp, step) = run(&mut f, pkix, csr(p.as_ref()), d);
            assert_eq!(
                resp.code,
                Code::CHANGED,
                "{}",
                String::from_utf8_lossy(&resp.payload)
            );
            assert_eq!(resp.content_format, Some(62));
            let key_cf = if encrypted { 280 } else { 284 };
            let cert_cf = if pkix { 287 } else { 281 };
            assert_eq!(formats(&resp), vec![key_cf, cert_cf]);
            assert_key_matches_certificate(&step.unwrap());
        }
    }
}

#[test]
fn symmetric_kek_of_either_size_picks_the_fitting_wrap() {
    for kek in [vec![0x17u8; 16], vec![0x29u8; 32]] {
        let mut f = with_keks(fixture(ApproveAll), &[(KEK_ID, &kek)]);
        let d = KeyDecryption::Kek {
            id: KEK_ID.to_vec(),
            key: kek.clone(),
        };
        // The client accepts both; the server takes the first that fits the KEK's size.
        let p = protection(&d, &[KeyWrap::Aes256, KeyWrap::Aes128]);
        let (resp, step) = run(&mut f, false, csr(Some(&p)), Some(d));
        assert_eq!(formats(&resp)[0], 280);
        assert_key_matches_certificate(&step.unwrap());
    }
}

#[test]
fn key_agreement_to_the_certificate_the_client_authenticated_with() {
    let mut f = fixture(ApproveAll);
    let d = device_agreement(&f);
    for wrap in KeyWrap::ALL {
        let p = protection(&d, &[wrap]);
        let (resp, step) = run(&mut f, true, csr(Some(&p)), Some(d.clone()));
        assert_eq!(formats(&resp), vec![280, 287]);
        assert_key_matches_certificate(&step.unwrap());
    }
}

#[test]
fn key_agreement_to_a_configured_certificate() {
    // A second device certificate (keyAgreement, SKI) the operator registered.
    let mut f = fixture(ApproveAll);
    let other_key = SigningKey::generate_from_rng(&mut rng_seeded(77));
    let other_csr = build_csr(&name("CN=key store"), &other_key, None).unwrap();
    let other_cert = f
        .server
        .ca_mut()
        .issue(
            &IssueRequest {
                kind: RequestKind::Enroll,
                subject: other_csr.subject(),
                client: None,
                csr_digest: [1; 32],
            },
            other_csr.request().info.public_key.clone(),
            NOW,
        )
        .unwrap();
    f.server = f
        .server
        .with_decrypt_keys(DecryptKeys::new().with_certificate(&other_cert).unwrap());
    let d = KeyDecryption::for_certificate(&other_cert, &other_key).unwrap();
    // Not the certificate's key: refused before anything is sent.
    assert!(matches!(
        KeyDecryption::for_certificate(&other_cert, &f.device_key),
        Err(Error::KeyProtectionRefused(_))
    ));
    let p = protection(&d, &[KeyWrap::Aes128]);
    let (_, step) = run(&mut f, false, csr(Some(&p)), Some(d));
    assert_key_matches_certificate(&step.unwrap());
    // The device's own key cannot open a package sealed to the other key.
    let p = KeyProtection::new(
        ProtectionKey::Asymmetric(ski(&other_cert)),
        &[KeyWrap::Aes128],
    )
    .unwrap();
    let wrong = KeyDecryption::Agreement {
        key_id: ski(&other_cert),
        secret: SecretKey::from(f.device_key.as_nonzero_scalar()),
    };
    let (_, step) = run(&mut f, false, csr(Some(&p)), Some(wrong));
    assert!(
        matches!(step, Err(Error::KeyDecryptionFailed(_))),
        "{step:?}"
    );
}

fn refused(f: &mut Fixture<ApproveAll>, csr: &[u8], want: Error) {
    let segs = path(Function::Skg);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let req = post(&segs, Some(286), None, csr, Some(&f.device_cert));
    let before = ca_state(&f.server);
    let err = f.server.try_handle(&req, NOW, &mut rng()).unwrap_err();
    assert_eq!(err, want);
    assert_eq!(err.coap_code(), Code::BAD_REQUEST);
    assert_eq!(
        f.server.handle(&req, NOW, &mut rng()).code,
        Code::BAD_REQUEST
    );
    assert_eq!(
        ca_state(&f.server),
        before,
        "a refused request changed the CA"
    );
}

#[test]
fn refusals_are_4_00_and_issue_nothing() {
    let mut f = with_keks(fixture(ApproveAll), &[(KEK_ID, &[0x42; 16])]);
    // RFC 7030 §4.4.1.1: no secret key with this identifier.
    let unknown = KeyDecryption::Kek {
        id: b"no-such-kek".to_vec(),
        key: vec![0; 16],
    };
    refused(
        &mut f,
        &csr(Some(&protection(&unknown, &[KeyWrap::Aes128]))),
        Error::UnknownDecryptKey,
    );
    // The KEK is 16 bytes; the client only accepts AES-256 key wrap.
    refused(
        &mut f,
        &csr(Some(&protection(&kek128(), &[KeyWrap::Aes256]))),
        Error::KeyProtectionRefused(
            "no listed key wrap algorithm fits the key named by DecryptKeyIdentifier",
        ),
    );
    // RFC 7030 §4.4.1.2: no public key with this identifier (not the client's SKI either).
    let p = KeyProtection::new(ProtectionKey::Asymmetric(vec![9; 20]), &[KeyWrap::Aes128]).unwrap();
    refused(&mut f, &csr(Some(&p)), Error::UnknownDecryptKey);
}

#[test]
fn client_refuses_wrong_key_tampering_untrusted_signer_and_downgrade() {
    let mut f = with_keks(fixture(ApproveAll), &[(KEK_ID, &[0x42; 16])]);
    let p = protection(&kek128(), &[KeyWrap::Aes128]);
    let request_csr = csr(Some(&p));
    let c = EstClient::new(EstPath::default(), vec![f.ca_cert.clone()]);
    let mut e = c
        .serverkeygen(request_csr.clone(), false)
        .decrypting_with(KeyDecryption::Kek {
            id: KEK_ID.to_vec(),
            key: vec![0x43; 16],
        });
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    // Wrong KEK: the RFC 3394 integrity check fails; the enrolment stays open.
    assert_eq!(
        e.on_response(&view(&resp), NOW),
        Err(Error::KeyDecryptionFailed("key unwrap failed"))
    );
    assert_eq!(e.state(), EnrollmentState::Ready);

    // The right key opens it.
    let mut good = c
        .serverkeygen(request_csr.clone(), false)
        .decrypting_with(kek128());
    let Ok(Step::IssuedWithKey {
        pkcs8: original, ..
    }) = good.on_response(&view(&resp), NOW)
    else {
        panic!()
    };
    // Every single-byte change of the 280 part is refused or, where AES-CBC lets a change
    // through into an unsigned SignedData field, still yields exactly the signed key: a
    // changed key is never accepted.
    let mp = Multipart::decode(&resp.payload).unwrap();
    let sealed = mp
        .find(ContentFormat::Pkcs7ServerGeneratedKey)
        .unwrap()
        .to_vec();
    let cert_part = mp.find(ContentFormat::Pkcs7CertsOnly).unwrap().to_vec();
    for i in (0..sealed.len()).step_by(3) {
        let mut bad = sealed.clone();
        bad[i] ^= 0x01;
        let body = Multipart::new()
            .with(ContentFormat::Pkcs7ServerGeneratedKey, &bad)
            .with(ContentFormat::Pkcs7CertsOnly, &cert_part)
            .to_vec();
        let mut e = c
            .serverkeygen(request_csr.clone(), false)
            .decrypting_with(kek128());
        let r = Response {
            payload: body,
            ..resp.clone()
        };
        if let Ok(Step::IssuedWithKey { pkcs8, .. }) = e.on_response(&view(&r), NOW) {
            assert_eq!(pkcs8, original, "byte {i} flipped changed the accepted key");
        }
    }

    // The right key, but the signer does not chain to this client's trust anchors.
    let stranger = Ca::new_root(
        name("CN=Stranger CA"),
        SigningKey::generate_from_rng(&mut rng_seeded(3)),
        ApproveAll,
        NOW,
        86400,
        1,
    )
    .unwrap();
    let c2 = EstClient::new(
        EstPath::default(),
        vec![stranger.certificate().unwrap().clone()],
    );
    let mut e = c2
        .serverkeygen(request_csr, false)
        .decrypting_with(kek128());
    assert_eq!(
        e.on_response(&view(&resp), NOW),
        Err(Error::KeyPackageRejected(
            "signer does not chain to a trust anchor"
        ))
    );

    // Downgrade: an encrypted key was expected, the server sent PKCS#8.
    let (_, step) = run(&mut f, false, csr(None), Some(kek128()));
    assert!(
        matches!(step, Err(Error::KeyDecryptionFailed(_))),
        "{step:?}"
    );
    // And the reverse: an encrypted key nobody asked to decrypt.
    let (_, step) = run(&mut f, false, csr(Some(&p)), None);
    assert!(
        matches!(step, Err(Error::KeyDecryptionFailed(_))),
        "{step:?}"
    );
}

#[test]
fn a_configured_key_generator_signs_the_package() {
    // RFC 7030 §4.4.2: "signed by the party that generated the private key": here an EST
    // server key with a certificate from the CA, not the CA itself.
    let mut f = with_keks(fixture(ApproveAll), &[(KEK_ID, &[0x42; 16])]);
    let server_key = SigningKey::generate_from_rng(&mut rng_seeded(11));
    let server_csr = build_csr(&name("CN=EST server"), &server_key, None).unwrap();
    let server_cert = f
        .server
        .ca_mut()
        .issue(
            &IssueRequest {
                kind: RequestKind::Enroll,
                subject: server_csr.subject(),
                client: None,
                csr_digest: [2; 32],
            },
            server_csr.request().info.public_key.clone(),
            NOW,
        )
        .unwrap();
    let keys = DecryptKeys::new().with_secret(KEK_ID, &[0x42; 16]).unwrap();
    let ca = Ca::from_parts(
        f.server.ca().key().clone(),
        f.ca_cert.clone(),
        ApproveAll,
        16,
    )
    .with_key_generator(server_key, server_cert.clone());
    f.server = EstServer::new(EstPath::default(), ca).with_decrypt_keys(keys);
    let p = protection(&kek128(), &[KeyWrap::Aes128]);
    let (_, step) = run(&mut f, false, csr(Some(&p)), Some(kek128()));
    assert_key_matches_certificate(&step.unwrap());
    let sealed = {
        let c = EstClient::new(EstPath::default(), vec![f.ca_cert.clone()]);
        let e = c.serverkeygen(csr(Some(&p)), false);
        let resp = exchange(
            &mut f.server,
            e.request(NOW).unwrap(),
            Some(&f.device_cert),
            NOW,
        );
        Multipart::decode(&resp.payload)
            .unwrap()
            .find(ContentFormat::Pkcs7ServerGeneratedKey)
            .unwrap()
            .to_vec()
    };
    let signed = est_coaps::enveloped_key::open(&sealed, &kek128()).unwrap();
    // The signer is the server certificate: trusted through the CA, not by itself.
    assert!(est_coaps::key_package::verify(&signed, std::slice::from_ref(&f.ca_cert)).is_ok());
    assert!(est_coaps::key_package::verify(&signed, std::slice::from_ref(&server_cert)).is_ok());
    let unrelated = Ca::new_root(
        name("CN=Unrelated"),
        SigningKey::generate_from_rng(&mut rng_seeded(12)),
        ApproveAll,
        NOW,
        86400,
        1,
    )
    .unwrap();
    assert_eq!(
        est_coaps::key_package::verify(&signed, &[unrelated.certificate().unwrap().clone()]),
        Err(Error::KeyPackageRejected(
            "signer does not chain to a trust anchor"
        ))
    );
}
