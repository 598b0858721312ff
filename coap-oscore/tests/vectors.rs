//! RFC 8613 Appendix C, all eight test vectors, byte for byte (vectors/oscore-rfc8613).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use coap_lite::Packet;
use coap_oscore::{
    AeadAlgorithm, ContextParams, InfoType, MAX_INFO_LEN, PartialIv, ResponsePartialIv,
    SecurityContext, VerifiedRequest, kdf_info,
};
use serde_json::Value;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/oscore-rfc8613/rfc8613-appendix-c.json"
));

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn case(id: &str) -> Value {
    cases().into_iter().find(|c| c["id"] == id).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn opt_h(v: &Value) -> Option<Vec<u8>> {
    v.as_str().map(|s| hex::decode(s).unwrap())
}

/// Context from a key-derivation case's inputs.
fn context(c: &Value) -> SecurityContext {
    let i = &c["inputs"];
    let secret = h(&i["master_secret"]);
    let salt = opt_h(&i["master_salt"]).unwrap_or_default();
    let ctx = opt_h(&i["id_context"]);
    let sid = h(&i["sender_id"]);
    let rid = h(&i["recipient_id"]);
    SecurityContext::derive(&ContextParams {
        master_salt: &salt,
        id_context: ctx.as_deref(),
        algorithm: AeadAlgorithm::from_cose_id(i["aead_alg"].as_i64().unwrap() as i32).unwrap(),
        ..ContextParams::new(&secret, &sid, &rid)
    })
    .unwrap()
}

#[test]
fn appendix_c1_to_c3_key_derivation_matches_byte_for_byte() {
    let mut n = 0;
    for c in cases().iter().filter(|c| c["kind"] == "key_derivation") {
        let ctx = context(c);
        let o = &c["outputs"];
        assert_eq!(ctx.sender_key(), h(&o["sender_key"]), "{}", c["id"]);
        assert_eq!(ctx.recipient_key(), h(&o["recipient_key"]), "{}", c["id"]);
        assert_eq!(ctx.common_iv(), h(&o["common_iv"]), "{}", c["id"]);
        let piv0 = PartialIv::new(0).unwrap();
        assert_eq!(
            ctx.nonce(ctx.sender_id(), piv0).to_vec(),
            h(&o["sender_nonce_piv0"])
        );
        assert_eq!(
            ctx.nonce(ctx.recipient_id(), piv0).to_vec(),
            h(&o["recipient_nonce_piv0"])
        );
        // The HKDF info structures (intermediate values).
        let i = &c["inputs"];
        let idc = opt_h(&i["id_context"]);
        for (id, key) in [
            (h(&i["sender_id"]), "info_sender_key"),
            (h(&i["recipient_id"]), "info_recipient_key"),
        ] {
            let mut buf = [0u8; MAX_INFO_LEN];
            let len = kdf_info(
                &mut buf,
                &id,
                idc.as_deref(),
                ctx.algorithm(),
                InfoType::Key,
                16,
            )
            .unwrap();
            assert_eq!(&buf[..len], &h(&c["intermediate"][key])[..], "{key}");
        }
        let mut buf = [0u8; MAX_INFO_LEN];
        let len = kdf_info(
            &mut buf,
            &[],
            idc.as_deref(),
            ctx.algorithm(),
            InfoType::Iv,
            13,
        )
        .unwrap();
        assert_eq!(&buf[..len], &h(&c["intermediate"]["info_common_iv"])[..]);
        n += 1;
    }
    assert_eq!(n, 6, "C.1.1, C.1.2, C.2.1, C.2.2, C.3.1, C.3.2");
}

/// The key-derivation case whose client/server context the message case uses.
fn context_for(message_case: &str, role: &str) -> SecurityContext {
    let base = match message_case {
        "rfc8613-c.4" | "rfc8613-c.7" | "rfc8613-c.8" => "rfc8613-c.1",
        "rfc8613-c.5" => "rfc8613-c.2",
        "rfc8613-c.6" => "rfc8613-c.3",
        _ => unreachable!(),
    };
    let suffix = if role == "client" {
        ".1-client"
    } else {
        ".2-server"
    };
    context(&case(&format!("{base}{suffix}")))
}

#[test]
fn appendix_c4_to_c6_requests_protect_byte_for_byte_and_unprotect() {
    for id in ["rfc8613-c.4", "rfc8613-c.5", "rfc8613-c.6"] {
        let c = case(id);
        let mut client = context_for(id, "client");
        assert_eq!(client.sender_key(), h(&c["inputs"]["sender_key"]));
        client
            .skip_to_sequence_number(c["inputs"]["sender_sequence_number"].as_u64().unwrap())
            .unwrap();
        let plain = Packet::from_bytes(&h(&c["inputs"]["unprotected_coap_message"])).unwrap();
        let mut out = Packet::new();
        out.header = plain.header.clone();
        out.set_token(plain.get_token().to_vec());
        let mut buf = [0u8; 128];
        let sent = client.protect_request(&plain, &mut buf, &mut out).unwrap();
        assert_eq!(sent.partial_iv().value(), 20);
        assert_eq!(
            hex::encode(out.to_bytes().unwrap()),
            c["outputs"]["protected_coap_message"].as_str().unwrap(),
            "{id}"
        );
        assert_eq!(out.payload, h(&c["outputs"]["ciphertext"]));

        // The server side recovers the original request.
        let mut server = context_for(id, "server");
        let mut back = Packet::new();
        let verified = server.unprotect_request(&out, &mut buf, &mut back).unwrap();
        assert!(matches!(verified, VerifiedRequest::Fresh(r) if r.partial_iv().value() == 20));
        back.header.message_id = plain.header.message_id;
        back.header.set_type(plain.header.get_type());
        back.set_token(plain.get_token().to_vec());
        assert_eq!(back.to_bytes().unwrap(), plain.to_bytes().unwrap());
    }
}

#[test]
fn appendix_c7_c8_responses_protect_byte_for_byte_and_unprotect() {
    let request_case = case("rfc8613-c.4");
    let request_bytes = h(&request_case["outputs"]["protected_coap_message"]);
    for (id, mode) in [
        ("rfc8613-c.7", ResponsePartialIv::FromRequest),
        ("rfc8613-c.8", ResponsePartialIv::Own),
    ] {
        let c = case(id);
        let mut server = context_for(id, "server");
        let request = Packet::from_bytes(&request_bytes).unwrap();
        let mut buf = [0u8; 128];
        let mut ignored = Packet::new();
        let VerifiedRequest::Fresh(rid) = server
            .unprotect_request(&request, &mut buf, &mut ignored)
            .unwrap()
        else {
            panic!("fresh context")
        };
        let plain = Packet::from_bytes(&h(&c["inputs"]["unprotected_coap_message"])).unwrap();
        let mut out = Packet::new();
        out.header = plain.header.clone();
        out.set_token(plain.get_token().to_vec());
        server
            .protect_response(&rid, &plain, mode, &mut buf, &mut out)
            .unwrap();
        assert_eq!(
            hex::encode(out.to_bytes().unwrap()),
            c["outputs"]["protected_coap_message"].as_str().unwrap(),
            "{id}"
        );

        let mut client = context_for(id, "client");
        client.skip_to_sequence_number(20).unwrap();
        let original =
            Packet::from_bytes(&h(&request_case["inputs"]["unprotected_coap_message"])).unwrap();
        let mut sent = Packet::new();
        let mut rid = client
            .protect_request(&original, &mut buf, &mut sent)
            .unwrap();
        let mut back = Packet::new();
        client
            .unprotect_response(&mut rid, &out, &mut buf, &mut back)
            .unwrap();
        assert_eq!(back.header.code, plain.header.code);
        assert_eq!(back.payload, plain.payload);
    }
}
