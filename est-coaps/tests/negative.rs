//! The negative catalogue (issue 6, est-coaps point 5): each bad request gets its specific
//! error and CoAP code, and the CA state (issued records, next serial) is unchanged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::*;

fn segs(f: Function) -> Vec<String> {
    path(f)
}

/// Runs `req` and checks the error, its code, and that the CA did not change.
fn refused<P: Policy>(fx: &mut Fixture<P>, req: &Request<'_>, want: Error, code: Code) {
    let before = ca_state(&fx.server);
    let err = fx.server.try_handle(req, NOW, &mut rng()).unwrap_err();
    assert_eq!(err, want);
    assert_eq!(err.coap_code(), code);
    let resp = fx.server.handle(req, NOW, &mut rng());
    assert_eq!(resp.code, code);
    assert_eq!(resp.content_format, None);
    assert_eq!(
        ca_state(&fx.server),
        before,
        "CA state changed by a refused request"
    );
}

#[test]
fn malformed_der_csr_is_4_00() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let s = segs(Function::Sen);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let good = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    let want = Error::MalformedDer {
        what: "PKCS#10 CSR",
    };
    for bad in [
        vec![],
        vec![0x30, 0x03, 0x02, 0x01],
        good[..good.len() - 1].to_vec(),
        [good.clone(), vec![0]].concat(), // trailing byte
        b"MIIBxTCCAW==".to_vec(),         // base64 is not DER (RFC 9148 §5.3, EP-1)
    ] {
        refused(
            &mut fx,
            &post(&s, Some(286), None, &bad, Some(&cert)),
            want.clone(),
            Code::BAD_REQUEST,
        );
    }
    // A non-minimal length (BER, not DER) is refused too.
    let mut ber = vec![0x30, 0x82];
    ber.extend_from_slice(&((good.len() - 3) as u16).to_be_bytes());
    if good[1] == 0x82 {
        ber = [vec![0x30, 0x83, 0x00], good[2..].to_vec()].concat();
        refused(
            &mut fx,
            &post(&s, Some(286), None, &ber, Some(&cert)),
            want,
            Code::BAD_REQUEST,
        );
    }
}

#[test]
fn csr_with_a_failing_signature_is_4_00() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let mut der = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    let n = der.len();
    der[n - 3] ^= 0x01;
    for f in [Function::Sen, Function::Sren] {
        let s = segs(f);
        let s: Vec<&str> = s.iter().map(String::as_str).collect();
        refused(
            &mut fx,
            &post(&s, Some(286), None, &der, Some(&cert)),
            Error::CsrSignatureInvalid,
            Code::BAD_REQUEST,
        );
    }
    // The RFC's own CSR with one subject byte changed: the signature no longer covers it.
    let mut a2 = vector("sen-request.csr.der.hex");
    let i = a2.windows(6).position(|w| w == b"Wt1234").unwrap();
    a2[i] = b'X';
    let s = segs(Function::Sen);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    refused(
        &mut fx,
        &post(&s, Some(286), None, &a2, Some(&cert)),
        Error::CsrSignatureInvalid,
        Code::BAD_REQUEST,
    );
}

#[test]
fn wrong_content_format_is_4_15() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let der = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    for f in [Function::Sen, Function::Sren, Function::Skg, Function::Skc] {
        let s = segs(f);
        let s: Vec<&str> = s.iter().map(String::as_str).collect();
        for cf in [None, Some(0), Some(281), Some(284), Some(60)] {
            refused(
                &mut fx,
                &post(&s, cf, None, &der, Some(&cert)),
                Error::UnsupportedContentFormat(cf),
                Code::UNSUPPORTED_CONTENT_FORMAT,
            );
        }
    }
}

#[test]
fn unsupported_accept_is_4_06() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let der = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    let cases: [(Function, u16); 6] = [
        (Function::Crts, 286),
        (Function::Sen, 62),
        (Function::Sren, 0),
        (Function::Skg, 281),
        (Function::Skc, 287),
        (Function::Att, 281),
    ];
    for (f, accept) in cases {
        let s = segs(f);
        let s: Vec<&str> = s.iter().map(String::as_str).collect();
        let req = if f.method() == Method::Get {
            get(&s, Some(accept), Some(&cert))
        } else {
            post(&s, Some(286), Some(accept), &der, Some(&cert))
        };
        refused(
            &mut fx,
            &req,
            Error::NotAcceptable(accept),
            Code::NOT_ACCEPTABLE,
        );
    }
}

#[test]
fn reenrolment_with_another_identity_is_4_03() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let s = segs(Function::Sren);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    // Another subject than the current certificate.
    let other = build_csr(&name("CN=device-2,O=ACE"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    refused(
        &mut fx,
        &post(&s, Some(286), None, &other, Some(&cert)),
        Error::IdentityMismatch,
        Code::FORBIDDEN,
    );
    // The same subject, but the current certificate was not issued by this CA.
    let foreign = Ca::new_root(
        name("CN=Other CA,O=X,C=SE"),
        SigningKey::generate_from_rng(&mut rng()),
        ApproveAll,
        NOW,
        86400,
        4,
    )
    .unwrap()
    .certificate()
    .unwrap()
    .clone();
    let subject = foreign.tbs_certificate().subject().clone();
    let same = build_csr(&subject, &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    refused(
        &mut fx,
        &post(&s, Some(286), None, &same, Some(&foreign)),
        Error::IdentityMismatch,
        Code::FORBIDDEN,
    );
}

#[test]
fn unauthenticated_client_is_4_01() {
    let mut fx = fixture(ApproveAll);
    let der = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    for f in Function::ALL {
        let s = segs(f);
        let s: Vec<&str> = s.iter().map(String::as_str).collect();
        let req = if f.method() == Method::Get {
            get(&s, None, None)
        } else {
            post(&s, Some(286), None, &der, None)
        };
        refused(&mut fx, &req, Error::Unauthorized, Code::UNAUTHORIZED);
    }
}

#[test]
fn wrong_method_is_4_05_and_unknown_path_4_04() {
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let s = segs(Function::Crts);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    refused(
        &mut fx,
        &post(&s, None, None, b"", Some(&cert)),
        Error::MethodNotAllowed,
        Code::METHOD_NOT_ALLOWED,
    );
    let s = segs(Function::Sen);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    refused(
        &mut fx,
        &get(&s, None, Some(&cert)),
        Error::MethodNotAllowed,
        Code::METHOD_NOT_ALLOWED,
    );
    // Long EST names are not EST-coaps URIs (RFC 9148 §5.1: short URIs).
    refused(
        &mut fx,
        &get(&[".well-known", "est", "cacerts"], None, Some(&cert)),
        Error::NotFound,
        Code::NOT_FOUND,
    );
    refused(
        &mut fx,
        &get(&[".well-known", "est"], None, Some(&cert)),
        Error::NotFound,
        Code::NOT_FOUND,
    );
}

#[test]
fn policy_rejection_and_capacity_are_refused_without_state_change() {
    struct Deny;
    impl Policy for Deny {
        fn decide(&mut self, _: &IssueRequest<'_>, _: UnixTime) -> Decision {
            Decision::Reject("not on the allow list".into())
        }
    }
    let mut fx = fixture(Deny);
    let cert = fx.device_cert.clone();
    let s = segs(Function::Sen);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let der = build_csr(&name("CN=a"), &fx.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    refused(
        &mut fx,
        &post(&s, Some(286), None, &der, Some(&cert)),
        Error::PolicyRejected("not on the allow list".into()),
        Code::FORBIDDEN,
    );

    let fx2 = fixture(ApproveAll);
    let ca = Ca::from_parts(
        fx2.server.ca().key().clone(),
        fx2.ca_cert.clone(),
        ApproveAll,
        1,
    );
    let mut fx3 = Fixture {
        server: EstServer::new(EstPath::default(), ca),
        ..fx2
    };
    let cert = fx3.device_cert.clone();
    assert_eq!(
        fx3.server
            .handle(
                &post(&s, Some(286), None, &der, Some(&cert)),
                NOW,
                &mut rng()
            )
            .code,
        Code::CHANGED
    );
    refused(
        &mut fx3,
        &post(&s, Some(286), None, &der, Some(&cert)),
        Error::CaFull,
        Code::SERVICE_UNAVAILABLE,
    );
}

#[test]
fn encrypted_key_request_without_key_identifier_is_4_00() {
    use est_coaps::der::asn1::{Any, SetOfVec};
    use est_coaps::x509_cert::attr::Attribute;
    use est_coaps::x509_cert::builder::{Builder, RequestBuilder};
    let mut fx = fixture(ApproveAll);
    let cert = fx.device_cert.clone();
    let b = RequestBuilder::new(name("CN=enc")).unwrap();
    // The signature no longer covers the added attribute: /skg ignores it (RFC 9148 §5.8).
    // Build the attribute by hand: smimeCapabilities with an empty SEQUENCE value and no
    // DecryptKeyIdentifier / AsymmetricDecryptKeyIdentifier (RFC 7030 §4.4.1: one MUST be).
    let attr = Attribute {
        oid: est_coaps::key_protection::SMIME_CAPABILITIES,
        values: SetOfVec::try_from(vec![
            Any::new(est_coaps::der::Tag::Sequence, vec![]).unwrap(),
        ])
        .unwrap(),
    };
    let mut req = b
        .build::<_, est_coaps::p256::ecdsa::DerSignature>(&fx.device_key)
        .unwrap();
    req.info.attributes.insert(attr).unwrap();
    let der = est_coaps::der::Encode::to_der(&req).unwrap();
    let s = segs(Function::Skg);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    refused(
        &mut fx,
        &post(&s, Some(286), None, &der, Some(&cert)),
        Error::KeyProtectionRefused(
            "SMIMECapabilities without DecryptKeyIdentifier or AsymmetricDecryptKeyIdentifier",
        ),
        Code::BAD_REQUEST,
    );
}

#[test]
fn client_refuses_foreign_certificates_and_keeps_waiting_state() {
    let mut fx = fixture(ApproveAll);
    let other_anchor = Ca::new_root(
        name("CN=Other CA,O=X,C=SE"),
        SigningKey::generate_from_rng(&mut rng()),
        ApproveAll,
        NOW,
        86400,
        4,
    )
    .unwrap()
    .certificate()
    .unwrap()
    .clone();
    let client = EstClient::new(EstPath::default(), vec![other_anchor]);
    let csr = build_csr(&name("CN=a"), &fx.device_key, None).unwrap();
    let mut e = client.enroll(&csr, false, None).unwrap();
    let resp = exchange(
        &mut fx.server,
        e.request(NOW).unwrap(),
        Some(&fx.device_cert),
        NOW,
    );
    assert_eq!(
        e.on_response(&view(&resp), NOW).unwrap_err(),
        Error::CertificateRejected("does not chain to a trust anchor")
    );
    assert_eq!(e.state(), EnrollmentState::Ready);
    // An error code is reported with its code and leaves the state alone.
    let bad = ClientResponse {
        code: Code::BAD_REQUEST,
        content_format: None,
        max_age: None,
        payload: b"x",
    };
    assert!(matches!(
        e.on_response(&bad, NOW),
        Err(Error::UnexpectedResponse { .. })
    ));
    assert_eq!(e.state(), EnrollmentState::Ready);
}

#[test]
fn multipart_decoder_rejects_malformed_cbor() {
    let cases: [(&[u8], &str); 8] = [
        (&[], "truncated"),
        (&[0x83, 0x01, 0x40, 0x02], "odd number of array items"),
        (&[0xa0], "not a CBOR array"),
        (
            &[0x82, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x40],
            "content format larger than 16 bits",
        ),
        (&[0x82, 0x01, 0x60], "representation is not a byte string"),
        (&[0x82, 0x01, 0x42, 0x00], "truncated"),
        (&[0x9f, 0x01, 0x40, 0xff], "indefinite length not accepted"),
        (&[0x82, 0x01, 0x40, 0x00], "trailing bytes after the array"),
    ];
    for (bytes, why) in cases {
        assert_eq!(
            Multipart::decode(bytes),
            Err(Error::MalformedMultipart(why)),
            "{bytes:02x?}"
        );
    }
    // null parts are allowed (RFC 8710 §2) and round-trip.
    let m = Multipart::decode(&[0x82, 0x19, 0x01, 0x1c, 0xf6]).unwrap();
    assert_eq!(m.parts[0].representation, None);
    assert_eq!(m.to_vec(), vec![0x82, 0x19, 0x01, 0x1c, 0xf6]);
}

#[test]
fn pkcs7_decoder_rejects_non_certs_only() {
    let good = vector("crts-response.p7.der.hex");
    // Truncated, trailing byte, and a CSR in place of a PKCS#7.
    for bad in [
        good[..100].to_vec(),
        [good.clone(), vec![0]].concat(),
        vector("sen-request.csr.der.hex"),
    ] {
        assert!(matches!(
            CertsOnly::from_der(&bad),
            Err(Error::MalformedDer { .. })
        ));
    }
    // Version 2 instead of 1 (byte after the SignedData SEQUENCE header: 02 01 01).
    let mut v2 = good.clone();
    let i = v2.windows(3).position(|w| w == [0x02, 0x01, 0x01]).unwrap();
    v2[i + 2] = 0x02;
    assert!(CertsOnly::from_der(&v2).is_err());
    // A CSR as csrattrs.
    assert!(CsrAttrs::from_der(&vector("sen-request.csr.der.hex")).is_err());
}
