//! Server and client engines end to end, in process: every function, Accept handling,
//! discovery, method and response codes of RFC 9148 §5.5, and delayed responses (§5.7).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::algorithm::verify_issued_by;
use est_coaps::discovery::parse_links;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::*;

fn client(f: &Fixture<impl Policy>) -> EstClient {
    EstClient::new(EstPath::default(), vec![f.ca_cert.clone()])
}

#[test]
fn crts_default_is_281_and_287_on_request() {
    let mut f = fixture(ApproveAll);
    let c = client(&f);
    for (accept, cf) in [
        (None, 281),
        (Some(ContentFormat::Pkcs7CertsOnly), 281),
        (Some(ContentFormat::PkixCert), 287),
    ] {
        let resp = exchange(
            &mut f.server,
            &c.cacerts_request(accept),
            Some(&f.device_cert),
            NOW,
        );
        assert_eq!(resp.code, Code::CONTENT);
        assert_eq!(resp.content_format, Some(cf));
        let certs = c.on_cacerts(&view(&resp)).unwrap();
        assert_eq!(certs, vec![f.ca_cert.clone()]);
    }
}

#[test]
fn sen_issues_a_certificate_for_the_csr_key() {
    let mut f = fixture(ApproveAll);
    let c = client(&f);
    let key = SigningKey::generate_from_rng(&mut rng());
    let csr = build_csr(&name("CN=device-1,O=ACE"), &key, None).unwrap();
    let mut e = c.enroll(&csr, false, None).unwrap();
    let req = e.request(NOW).unwrap().clone();
    assert_eq!(req.uri_path, [".well-known", "est", "sen"]);
    assert_eq!((req.method, req.content_format), (Method::Post, Some(286)));
    let resp = exchange(&mut f.server, &req, Some(&f.device_cert), NOW);
    assert_eq!((resp.code, resp.content_format), (Code::CHANGED, Some(281)));
    let Step::Issued(cert) = e.on_response(&view(&resp), NOW).unwrap() else {
        panic!()
    };
    verify_issued_by(&cert, &f.ca_cert).unwrap();
    assert_eq!(cert.tbs_certificate().subject(), csr.subject());
    assert_eq!(e.state(), EnrollmentState::Done);
    assert_eq!(f.server.ca().issued().len(), 1);
}

#[test]
fn sen_with_accept_287_returns_a_single_certificate() {
    let mut f = fixture(ApproveAll);
    let c = client(&f);
    let csr = build_csr(&name("CN=device-1"), &f.device_key, None).unwrap();
    let mut e = c
        .enroll(&csr, false, Some(ContentFormat::PkixCert))
        .unwrap();
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    assert_eq!(resp.content_format, Some(287));
    assert!(matches!(
        e.on_response(&view(&resp), NOW).unwrap(),
        Step::Issued(_)
    ));
}

#[test]
fn sren_with_the_current_certificate_keeps_the_subject() {
    let mut f = fixture(ApproveAll);
    let c = client(&f);
    let new_key = SigningKey::generate_from_rng(&mut rng());
    let subject = f.device_cert.tbs_certificate().subject().clone();
    let csr = build_csr(&subject, &new_key, None).unwrap();
    let mut e = c.enroll(&csr, true, None).unwrap();
    assert_eq!(e.request(NOW).unwrap().uri_path.last().unwrap(), "sren");
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    assert_eq!(resp.code, Code::CHANGED);
    let Step::Issued(cert) = e.on_response(&view(&resp), NOW).unwrap() else {
        panic!()
    };
    assert_eq!(cert.tbs_certificate().subject(), &subject);
}

#[test]
fn skg_and_skc_return_pkcs8_and_certificate_ignoring_the_csr_key() {
    for (pkix, cert_cf) in [(false, 281u16), (true, 287u16)] {
        let mut f = fixture(ApproveAll);
        let c = client(&f);
        let csr_key = SigningKey::generate_from_rng(&mut rng_seeded(99));
        let csr = build_csr(&name("CN=skg device"), &csr_key, None).unwrap();
        let mut e = c.serverkeygen(csr.to_der().unwrap(), pkix);
        let resp = exchange(
            &mut f.server,
            e.request(NOW).unwrap(),
            Some(&f.device_cert),
            NOW,
        );
        assert_eq!((resp.code, resp.content_format), (Code::CHANGED, Some(62)));
        let mp = Multipart::decode(&resp.payload).unwrap();
        let formats: Vec<u16> = mp.parts.iter().map(|p| p.content_format).collect();
        assert_eq!(formats, vec![284, cert_cf]);
        let Step::IssuedWithKey { certificate, .. } = e.on_response(&view(&resp), NOW).unwrap()
        else {
            panic!()
        };
        // RFC 9148 §5.8: the CSR's key is ignored; the certificate holds the new key.
        assert_ne!(
            certificate.tbs_certificate().subject_public_key_info(),
            &csr.request().info.public_key
        );
    }
}

#[test]
fn skg_ignores_a_bad_csr_signature() {
    let mut f = fixture(ApproveAll);
    let mut der = build_csr(&name("CN=x"), &f.device_key, None)
        .unwrap()
        .to_der()
        .unwrap();
    let n = der.len();
    der[n - 3] ^= 0x01; // inside the signature value
    assert!(VerifiedCsr::from_der(&der).is_err());
    let segs = path(Function::Skg);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let cert = f.device_cert.clone();
    let resp = f.server.handle(
        &post(&segs, Some(286), None, &der, Some(&cert)),
        NOW,
        &mut rng(),
    );
    assert_eq!(resp.code, Code::CHANGED);
}

#[test]
fn att_serves_csrattrs_or_404_when_none() {
    let mut f = fixture(ApproveAll);
    let segs = path(Function::Att);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let cert = f.device_cert.clone();
    let resp = f
        .server
        .handle(&get(&segs, None, Some(&cert)), NOW, &mut rng());
    assert_eq!(resp.code, Code::NOT_FOUND);
    let attrs = CsrAttrs::from_der(&vector("att-response.csrattrs.der.hex")).unwrap();
    let ca = Ca::from_parts(
        f.server.ca().key().clone(),
        f.ca_cert.clone(),
        ApproveAll,
        4,
    )
    .with_csr_attributes(attrs);
    let mut server = EstServer::new(EstPath::default(), ca);
    let resp = server.handle(&get(&segs, None, Some(&cert)), NOW, &mut rng());
    assert_eq!((resp.code, resp.content_format), (Code::CONTENT, Some(285)));
    assert_eq!(resp.payload, vector("att-response.csrattrs.der.hex"));
}

#[test]
fn discovery_lists_functions_with_rt_and_ct() {
    let mut f = fixture(ApproveAll);
    let req = Request {
        uri_query: &["rt=ace.est*"],
        ..get(&[".well-known", "core"], None, None)
    };
    let resp = f.server.handle(&req, NOW, &mut rng());
    assert_eq!((resp.code, resp.content_format), (Code::CONTENT, Some(40)));
    let body = String::from_utf8(resp.payload).unwrap();
    assert!(
        body.contains("</.well-known/est/crts>;rt=\"ace.est.crts\";ct=\"281 287\""),
        "{body}"
    );
    assert!(
        body.contains("</.well-known/est/skg>;rt=\"ace.est.skg\";ct=62"),
        "{body}"
    );
    assert!(
        body.contains("</.well-known/est/att>;rt=\"ace.est.att\";ct=285"),
        "{body}"
    );
    let links = parse_links(&body);
    assert_eq!(links.len(), 6);
    assert_eq!(links[0].function(), Some(Function::Crts));
    assert_eq!(links[0].attribute("ct"), Some("281 287"));
    // A filter for one type selects one link; a foreign type selects none.
    let req = Request {
        uri_query: &["rt=ace.est.sen"],
        ..get(&[".well-known", "core"], None, None)
    };
    assert_eq!(
        parse_links(std::str::from_utf8(&f.server.handle(&req, NOW, &mut rng()).payload).unwrap())
            .len(),
        1
    );
    let req = Request {
        uri_query: &["rt=core.rd*"],
        ..get(&[".well-known", "core"], None, None)
    };
    assert!(f.server.handle(&req, NOW, &mut rng()).payload.is_empty());
}

#[test]
fn discovery_parses_the_rfc_example_with_absolute_uris() {
    // RFC 9148 §5.1 example (second form), with TBD287 replaced by 287.
    let body = "<coaps://[2001:db8:3::123]:61617/est/crts>;rt=\"ace.est.crts\";ct=\"281 287\",\
                <coaps://[2001:db8:3::123]:61617/est/sen>;rt=\"ace.est.sen\";ct=\"281 287\",\
                <coaps://[2001:db8:3::123]:61617/est/att>;rt=\"ace.est.att\";ct=285";
    let links = parse_links(body);
    assert_eq!(links.len(), 3);
    assert_eq!(links[1].target, "coaps://[2001:db8:3::123]:61617/est/sen");
    assert_eq!(links[2].function(), Some(Function::Att));
}

#[test]
fn arbitrary_label_routes_and_other_paths_are_404() {
    let f = fixture(ApproveAll);
    let ca = Ca::from_parts(
        f.server.ca().key().clone(),
        f.ca_cert.clone(),
        ApproveAll,
        4,
    );
    let mut server = EstServer::new(EstPath::default().with_label("factory"), ca);
    let cert = f.device_cert.clone();
    let ok = server.handle(
        &get(
            &[".well-known", "est", "factory", "crts"],
            None,
            Some(&cert),
        ),
        NOW,
        &mut rng(),
    );
    assert_eq!(ok.code, Code::CONTENT);
    let nf = server.handle(
        &get(&[".well-known", "est", "crts"], None, Some(&cert)),
        NOW,
        &mut rng(),
    );
    assert_eq!(nf.code, Code::NOT_FOUND);
    // Optional functions switched off are 4.04 too.
    let ca = Ca::from_parts(
        f.server.ca().key().clone(),
        f.ca_cert.clone(),
        ApproveAll,
        4,
    );
    let mut server = EstServer::new(EstPath::new(&["est"], None), ca).with_functions(&[]);
    let nf = server.handle(
        &post(&["est", "skg"], Some(286), None, b"", Some(&cert)),
        NOW,
        &mut rng(),
    );
    assert_eq!(nf.code, Code::NOT_FOUND);
}

/// A slow CA: pending for the first `n` tries of each CSR (RFC 9148 §5.7).
struct SlowCa {
    remaining: u32,
    seen: Vec<[u8; 32]>,
}

impl Policy for SlowCa {
    fn decide(&mut self, r: &IssueRequest<'_>, _now: UnixTime) -> Decision {
        self.seen.push(r.csr_digest);
        if self.remaining > 0 {
            self.remaining -= 1;
            Decision::Pending { max_age: 30 }
        } else {
            Decision::Approve
        }
    }
}

#[test]
fn delayed_response_503_max_age_then_identical_csr() {
    let mut f = fixture(SlowCa {
        remaining: 2,
        seen: vec![],
    });
    let c = client(&f);
    let key = SigningKey::generate_from_rng(&mut rng());
    let csr = build_csr(&name("CN=slow"), &key, None).unwrap();
    let mut e = c.enroll(&csr, false, None).unwrap();
    let first = e.request(NOW).unwrap().clone();
    let mut now = NOW;
    for round in 0..2 {
        let resp = exchange(
            &mut f.server,
            e.request(now).unwrap(),
            Some(&f.device_cert),
            now,
        );
        assert_eq!(
            (resp.code, resp.max_age),
            (Code::SERVICE_UNAVAILABLE, Some(30)),
            "round {round}"
        );
        assert_eq!(f.server.ca().issued().len(), 0);
        let Step::RetryAt(t) = e.on_response(&view(&resp), now).unwrap() else {
            panic!()
        };
        assert_eq!(t, UnixTime(now.0 + 30));
        assert!(
            e.request(UnixTime(now.0 + 29)).is_none(),
            "must wait for Max-Age"
        );
        now = t;
        assert_eq!(e.request(now).unwrap(), &first, "identical CSR resent");
    }
    let resp = exchange(
        &mut f.server,
        e.request(now).unwrap(),
        Some(&f.device_cert),
        now,
    );
    assert_eq!(resp.code, Code::CHANGED);
    assert!(matches!(
        e.on_response(&view(&resp), now).unwrap(),
        Step::Issued(_)
    ));
    let seen = &f.server.ca_mut().policy_mut().seen;
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|d| *d == seen[0]));
}

#[test]
fn pop_linking_checks_the_challenge_password() {
    let mut f = fixture(ApproveAll);
    let segs = path(Function::Sen);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let cert = f.device_cert.clone();
    let good = build_csr(&name("CN=l"), &f.device_key, Some("bGlua2luZw=="))
        .unwrap()
        .to_der()
        .unwrap();
    let bad = build_csr(&name("CN=l"), &f.device_key, Some("other"))
        .unwrap()
        .to_der()
        .unwrap();
    let mut req = post(&segs, Some(286), None, &bad, Some(&cert));
    req.pop_link = Some(b"bGlua2luZw==");
    assert_eq!(
        f.server.try_handle(&req, NOW, &mut rng()).unwrap_err(),
        Error::PopLinkingFailed
    );
    req.payload = &good;
    assert_eq!(f.server.handle(&req, NOW, &mut rng()).code, Code::CHANGED);
}
