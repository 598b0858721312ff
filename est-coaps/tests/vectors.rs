//! RFC 9148 Appendix A payloads (draft -18 = approved text; vectors/est-coaps-rfc9148):
//! each decoded and re-encoded byte for byte, each CSR and certificate parsed and checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::algorithm::verify_issued_by;
use est_coaps::csr::CHALLENGE_PASSWORD;
use est_coaps::der::Encode;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::pkcs8::DecodePrivateKey;
use est_coaps::*;

fn spki_bytes(c: &est_coaps::x509_cert::Certificate) -> Vec<u8> {
    c.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap()
}

#[test]
fn a1_crts_certs_only_round_trip_and_self_signature() {
    let bytes = vector("crts-response.p7.der.hex");
    let p7 = CertsOnly::from_der(&bytes).unwrap();
    assert_eq!(p7.certificates().len(), 1);
    assert_eq!(p7.to_der().unwrap(), bytes);
    let root = &p7.certificates()[0];
    assert_eq!(
        root.tbs_certificate().subject().to_string(),
        "CN=Root CA,OU=certification,O=Example Inc,L=LA,ST=CA,C=US"
    );
    assert_eq!(
        root.tbs_certificate().serial_number().as_bytes(),
        hex::decode("0b8bb0fe604f6a1e").unwrap()
    );
    verify_issued_by(root, root).unwrap();
}

#[test]
fn a2_sen_csr_verifies_and_round_trips() {
    let bytes = vector("sen-request.csr.der.hex");
    let csr = VerifiedCsr::from_der(&bytes).unwrap();
    assert_eq!(csr.to_der().unwrap(), bytes);
    assert_eq!(
        csr.subject().to_string(),
        "CN=Wt1234,OU=IoT,O=example Inc,L=LA,ST=CA,C=US".replace("CN=", "SERIALNUMBER=")
    );
    // The challengePassword (RFC 7030 §3.5 linking value) is present: 37 characters.
    let pw = csr.challenge_password().unwrap();
    assert_eq!(pw.len(), 37);
    assert!(
        csr.request()
            .info
            .attributes
            .iter()
            .any(|a| a.oid == CHALLENGE_PASSWORD)
    );
}

#[test]
fn a2_sen_response_round_trips_and_certifies_the_csr_key() {
    let bytes = vector("sen-response.p7.der.hex");
    let p7 = CertsOnly::from_der(&bytes).unwrap();
    assert_eq!(p7.to_der().unwrap(), bytes);
    let cert = &p7.certificates()[0];
    let csr = VerifiedCsr::from_der(&vector("sen-request.csr.der.hex")).unwrap();
    assert_eq!(cert.tbs_certificate().subject(), csr.subject());
    assert_eq!(
        cert.tbs_certificate().subject_public_key_info(),
        &csr.request().info.public_key
    );
    assert!(
        cert.tbs_certificate()
            .issuer()
            .to_string()
            .contains("CN=802.1AR CA")
    );
}

#[test]
fn a3_skg_request_parses_and_its_signature_verifies() {
    let bytes = vector("skg-request.csr.der.hex");
    let unchecked = UncheckedCsr::from_der(&bytes).unwrap();
    assert_eq!(unchecked.subject().to_string(), "O=skg example");
    assert_eq!(unchecked.key_protection().unwrap(), None);
    let verified = VerifiedCsr::from_der(&bytes).unwrap();
    assert_eq!(verified.to_der().unwrap(), bytes);
}

#[test]
fn a3_skg_multipart_round_trip_parts_and_key_match() {
    let bytes = vector("skg-response.multipart.cbor.hex");
    let mp = Multipart::decode(&bytes).unwrap();
    assert_eq!(mp.to_vec(), bytes);
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(mp.parts[0].content_format, 284);
    assert_eq!(mp.parts[1].content_format, 281);
    let part1 = vector("skg-response.part1.pkcs8.der.hex");
    let part2 = vector("skg-response.part2.p7.der.hex");
    assert_eq!(mp.find(ContentFormat::Pkcs8).unwrap(), part1.as_slice());
    assert_eq!(
        mp.find(ContentFormat::Pkcs7CertsOnly).unwrap(),
        part2.as_slice()
    );
    // The PKCS#8 key's public half is the key of the certificate and of the CSR.
    let key = SigningKey::from_pkcs8_der(&part1).unwrap();
    assert_eq!(
        hex::encode(key.to_bytes()),
        "61336a86ac6e7af4a96f632830ad4e6aa0837679206094d7679a01ca8c6f0c37"
    );
    let p7 = CertsOnly::from_der(&part2).unwrap();
    assert_eq!(p7.to_der().unwrap(), part2);
    let cert = &p7.certificates()[0];
    verify_issued_by(cert, cert).unwrap();
    let spki = est_coaps::keygen::spki_of(key.verifying_key()).unwrap();
    assert_eq!(cert.tbs_certificate().subject_public_key_info(), &spki);
    let csr = UncheckedCsr::from_der(&vector("skg-request.csr.der.hex")).unwrap();
    assert_eq!(cert.tbs_certificate().subject(), csr.subject());
}

#[test]
fn a3_client_engine_accepts_the_skg_response() {
    let part2 = vector("skg-response.part2.p7.der.hex");
    let anchor = CertsOnly::from_der(&part2).unwrap().into_certificates();
    let client = EstClient::new(EstPath::new(&["est"], None), anchor);
    let mut e = client.serverkeygen(vector("skg-request.csr.der.hex"), false);
    assert_eq!(e.request(NOW).unwrap().uri_path, ["est", "skg"]);
    let body = vector("skg-response.multipart.cbor.hex");
    let resp = ClientResponse {
        code: Code::CHANGED,
        content_format: Some(62),
        max_age: None,
        payload: &body,
    };
    match e.on_response(&resp, NOW).unwrap() {
        Step::IssuedWithKey { pkcs8, certificate } => {
            assert_eq!(pkcs8, vector("skg-response.part1.pkcs8.der.hex"));
            assert_eq!(spki_bytes(&certificate).len(), 91);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a4_csrattrs_round_trip() {
    let bytes = vector("att-response.csrattrs.der.hex");
    let attrs = CsrAttrs::from_der(&bytes).unwrap();
    assert_eq!(attrs.to_der().unwrap(), bytes);
    assert_eq!(attrs.entries.len(), 6);
    assert!(attrs.mentions(CHALLENGE_PASSWORD));
    // 2.999.x arcs (RFC 7030 A.2 example OIDs) do not fit const-oid; they are kept as raw OIDs.
    assert!(
        matches!(&attrs.entries[1], AttrOrOid::Attribute { oid, values } if oid.to_string() == "2.999.1" && values.len() == 1)
    );
    assert!(
        matches!(&attrs.entries[3], AttrOrOid::Attribute { oid, values } if oid.to_string() == "2.999.2" && values.len() == 3)
    );
    assert!(matches!(&attrs.entries[0], AttrOrOid::Oid(o) if o.to_string() == "1.3.6.1.1.1.1.22"));
    assert!(
        matches!(&attrs.entries[4], AttrOrOid::Oid(o) if o.to_string() == "1.3.36.3.3.2.8.1.1.11")
    );
}

#[test]
fn b1_block_fragments_are_not_complete_objects() {
    for f in [
        "crts-block2-num0-response.fragment.hex",
        "crts-block2-num1-response.fragment.hex",
        "crts-block2-num9-response.fragment.hex",
    ] {
        let b = vector(f);
        assert!(
            matches!(CertsOnly::from_der(&b), Err(Error::MalformedDer { .. })),
            "{f}"
        );
    }
    // Block 0 starts the 639-byte SEQUENCE the draft describes (3082027b).
    assert_eq!(
        &vector("crts-block2-num0-response.fragment.hex")[..4],
        &[0x30, 0x82, 0x02, 0x7b]
    );
}
