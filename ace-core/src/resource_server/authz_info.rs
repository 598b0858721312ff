//! RFC 9200 §5.10.1 and §5.10.1.1: processing a token POSTed to `/authz-info`.
//!
//! Order of checks (the RFC's, see digest RS-14..RS-22):
//! 1. the security wrapper (COSE) and the issuing AS's right to issue for this RS: 4.01;
//!    a payload that does not parse to a token, or whose claims cannot be obtained: 4.00;
//! 2. the claims "in the order of priority of this list": `iss` (4.01), `exp` (4.01),
//!    `aud` (4.03), `scope` (4.00);
//! 3. "additional processing" (the RFC's list has no `nbf` or `exi` entry of its own):
//!    `nbf` (4.01, the code consistent with `exp`), the `exi` replay watermark (§5.10.3,
//!    4.01: such a token is "treated as expired"), `cnonce` freshness (§5.3.1, 4.01), then the
//!    PoP key in `cnf` (4.00 when missing or unusable, or when its `alg`/`key_ops` are
//!    incompatible with the profile, RFC 9201 §5), then storage (5.03 when full).
//!
//! Nothing changes state until every check has passed: the cnonce is consumed and the token
//! stored in the same final step.

use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::{Claims, Cnf, KeyId, PopKey};

use super::{Authorization, ExiCti, Expiry, ResourceServer, ScopeMatcher, StoredToken};
use crate::Error;
use crate::env::{Clock, UnixTime};
use crate::message::{AceMessage, IntrospectionRequest, IntrospectionResponse};

/// The result of a successful `/authz-info` POST (2.01 Created).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthzInfoOutcome {
    /// The token was verified and stored, bound to this PoP key id.
    Stored {
        /// The key id the token is bound to.
        key_id: KeyId,
        /// True when it superseded a token for the same key (update of access rights).
        replaced: bool,
    },
    /// RFC 9200 §5.10.1: the token is a reference; ask the AS (§5.9) with this request and
    /// hand the answer to [`ResourceServer::finish_introspection`].
    NeedsIntrospection(PendingIntrospection),
}

/// An `/authz-info` POST waiting for the AS's introspection response. Only this value can
/// finish it, so a response cannot be applied to a token it was not asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingIntrospection {
    token: Vec<u8>,
}

impl PendingIntrospection {
    /// RFC 9200 §5.9.1: the introspection request to send to the AS.
    pub fn request(&self) -> IntrospectionRequest {
        IntrospectionRequest::new(self.token.clone())
    }
}

/// Maps an `ace-cwt` failure to the step-1 outcome of RFC 9200 §5.10.1.1.
fn wrapper_error(e: ace_cwt::Error) -> Error {
    use ace_cwt::Error as E;
    match e {
        // §5.10.1: "does not parse to a token"
        E::MalformedCbor(_)
        | E::TrailingBytes
        | E::DuplicateMapKey
        | E::MalformedCose(_)
        | E::CwtTagWithoutCoseTag
        | E::UnsupportedTag(_)
        | E::UnknownStructure
        | E::DetachedPayload
        | E::NestingTooDeep => Error::TokenNotParsed(e.to_string_lossy()),
        // §5.10.1.1 step 1b: claims cannot be obtained
        E::ClaimsNotAMap | E::ClaimType(_) => Error::ClaimsUnavailable(e.to_string_lossy()),
        // §5.10.1.1 step 1: the security wrapper fails or the AS is not entitled
        other => Error::TokenVerificationFailed(other.to_string_lossy()),
    }
}

/// RFC 8392 §2 NumericDate strictly after `now`.
fn is_after(t: &ace_cwt::NumericDate, now: UnixTime) -> bool {
    match t {
        ace_cwt::NumericDate::WholeSeconds(s) => i128::from(*s) > i128::from(now.as_secs()),
        ace_cwt::NumericDate::FractionalSeconds(f) => *f > now.as_secs() as f64,
    }
}

/// A NumericDate as whole seconds (rounded down, dates before 1970 as 0).
fn to_unix(t: &ace_cwt::NumericDate) -> UnixTime {
    match t {
        ace_cwt::NumericDate::WholeSeconds(s) => {
            UnixTime::from_secs(u64::try_from(*s).unwrap_or(0))
        }
        ace_cwt::NumericDate::FractionalSeconds(f) if *f > 0.0 => UnixTime::from_secs(*f as u64),
        ace_cwt::NumericDate::FractionalSeconds(_) => UnixTime::from_secs(0),
    }
}

/// RFC 9200 §5.9.2: the claims an introspection response stands for.
fn claims_from_introspection(r: IntrospectionResponse) -> Claims {
    Claims {
        iss: r.iss,
        sub: r.sub,
        aud: r.aud,
        exp: r.exp,
        nbf: r.nbf,
        iat: r.iat,
        cti: r.cti,
        scope: r.scope.map(|s| s.to_cbor_value()),
        cnf: r.cnf.map(crate::message::Confirmation::into_cnf),
        ace_profile: r.ace_profile.map(crate::AceProfile::value),
        exi: r.exi,
        cnonce: r.cnonce,
        ..Claims::default()
    }
}

trait LossyString {
    fn to_string_lossy(&self) -> String;
}

impl<T: core::fmt::Display> LossyString for T {
    fn to_string_lossy(&self) -> String {
        alloc::format!("{self}")
    }
}

impl<K: ace_cwt::KeyStore, M: ScopeMatcher> ResourceServer<K, M> {
    /// RFC 9200 §5.10.1: processes the payload of a POST to `/authz-info`.
    ///
    /// On error nothing has changed (store, nonces, watermark) and [`Error::coap_code`] is the
    /// response code of §5.10.1.1.
    pub fn post_authz_info(
        &mut self,
        payload: &[u8],
        clock: &impl Clock,
    ) -> Result<AuthzInfoOutcome, Error> {
        let verified = match ace_cwt::verify(payload, &self.keys) {
            Ok(v) => v,
            Err(e) => {
                let err = wrapper_error(e);
                if self.config.introspect_reference_tokens
                    && matches!(err, Error::TokenNotParsed(_))
                {
                    return Ok(AuthzInfoOutcome::NeedsIntrospection(PendingIntrospection {
                        token: payload.to_vec(),
                    }));
                }
                return Err(err);
            }
        };
        self.accept_claims(verified.into_claims(), clock)
    }

    /// RFC 9200 §5.10.1.2: [`ResourceServer::post_authz_info`] for a submission from `peer`,
    /// rate-limited when [`super::RsConfig::rate_limit`] is set. Over the limit the answer is
    /// [`Error::TooManyRequests`] (4.29 with Max-Age) and nothing changes; otherwise the
    /// submission is counted whatever the token's fate (invalid tokens cost the sender too).
    pub fn post_authz_info_from(
        &mut self,
        peer: &super::PeerId,
        payload: &[u8],
        clock: &impl Clock,
    ) -> Result<AuthzInfoOutcome, Error> {
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.record(peer, clock.monotonic())?;
        }
        self.post_authz_info(payload, clock)
    }

    /// RFC 9200 §5.9.2, §5.10.1.1: finishes an `/authz-info` POST of a reference token with
    /// the AS's introspection response (its payload bytes).
    pub fn finish_introspection(
        &mut self,
        _pending: PendingIntrospection,
        response: &[u8],
        clock: &impl Clock,
    ) -> Result<AuthzInfoOutcome, Error> {
        // §5.10.1.1 step 1b: unobtainable claims are 4.00.
        let response = IntrospectionResponse::decode(response)
            .map_err(|e| Error::ClaimsUnavailable(e.to_string_lossy()))?;
        if !response.active {
            return Err(Error::TokenInactive);
        }
        let claims = claims_from_introspection(response);
        self.accept_claims(claims, clock)
    }

    fn accept_claims(
        &mut self,
        claims: Claims,
        clock: &impl Clock,
    ) -> Result<AuthzInfoOutcome, Error> {
        let now = clock.now();
        let uptime = clock.monotonic();

        // iss
        if let (Some(expected), Some(iss)) = (&self.config.issuer, &claims.iss)
            && expected != iss
        {
            return Err(Error::IssuerMismatch);
        }
        // exp: without trusted time only an `exi` token can be judged (RFC 9200 §5.10.3).
        if let Some(exp) = &claims.exp {
            match now {
                Some(n) if !is_after(exp, n) => return Err(Error::TokenExpired),
                None if claims.exi.is_none() => return Err(Error::ExpiryUnverifiable),
                _ => {}
            }
        }
        // aud
        let aud_ok = match &claims.aud {
            Some(aud) => self.config.audiences.iter().any(|a| a == aud),
            None => true,
        };
        if !aud_ok {
            return Err(Error::AudienceMismatch);
        }
        // scope
        let scope = claims
            .scope
            .as_ref()
            .and_then(|s| self.scopes.recognize(s))
            .ok_or(Error::ScopeNotRecognized)?;

        // additional processing: nbf
        if let (Some(nbf), Some(n)) = (&claims.nbf, now)
            && is_after(nbf, n)
        {
            return Err(Error::TokenNotYetValid);
        }
        // exi: cti must carry this RS's sequence number, above the watermark.
        let exi_sequence = match claims.exi {
            None => None,
            Some(_) => {
                let seq = claims
                    .cti
                    .as_deref()
                    .and_then(|cti| ExiCti::parse(cti, self.config.rs_id()))
                    .ok_or(Error::ExiWithoutSequence)?
                    .sequence;
                if self.exi.is_expired(seq) {
                    return Err(Error::TokenExpired);
                }
                Some(seq)
            }
        };
        // cnonce (RFC 9200 §5.3.1)
        if let Some(store) = &self.cnonces {
            let fresh = claims
                .cnonce
                .as_deref()
                .is_some_and(|n| store.is_fresh(n, uptime));
            if !fresh {
                return Err(Error::CnonceNotFresh);
            }
        }
        // PoP key (RFC 8747 §3)
        let (key_id, pop_key) = self.pop_binding(claims.cnf.as_ref())?;

        let exp = now.and(claims.exp.as_ref()).map(to_unix);
        let mut expiry = match (exp, claims.exi) {
            (Some(exp), Some(exi)) => Expiry::Both(exp, uptime.saturating_add(exi)),
            (Some(exp), None) => Expiry::At(exp),
            (None, Some(exi)) => Expiry::AfterUptime(uptime.saturating_add(exi)),
            (None, None) => Expiry::Unbounded,
        };
        // §5.10.1.1: the exi counter starts when the RS *first* verifies the token; posting
        // the same token again must not extend it.
        if let Some(old) = self.store.get(&key_id)
            && old.authorization.claims.cti.is_some()
            && old.authorization.claims.cti == claims.cti
        {
            expiry = old.expiry;
        }
        if !self.store.can_store(&key_id, now, uptime) {
            return Err(Error::TokenStoreFull);
        }

        // Every check passed: now change state.
        if let (Some(store), Some(n)) = (self.cnonces.as_mut(), claims.cnonce.as_deref()) {
            store.consume(n, uptime);
        }
        let token = StoredToken {
            key_id: key_id.clone(),
            expiry,
            authorization: Authorization {
                scope,
                claims,
                pop_key,
                exi_sequence,
            },
        };
        let mut evicted = None;
        let replaced = self
            .store
            .store_in_place(token, now, uptime, |old| evicted = Some(old))
            .map_err(|_| Error::TokenStoreFull)?;
        if let Some(old) = evicted {
            self.note_expired(&old);
        }
        Ok(AuthzInfoOutcome::Stored { key_id, replaced })
    }

    /// RFC 8747 §3.2–§3.4: the key id the token is bound to, and the key when it travels in
    /// the token. RFC 9201 §5: a key whose `alg`/`key_ops` the profile cannot use is 4.00.
    fn pop_binding(&self, cnf: Option<&Cnf>) -> Result<(KeyId, Option<PopKey>), Error> {
        match cnf {
            None => Err(Error::MissingConfirmation),
            Some(Cnf::Kid(kid)) => Ok((kid.clone(), None)),
            Some(Cnf::CoseKey(key)) => {
                let kid = key.kid().cloned().ok_or(Error::UnusableConfirmation)?;
                self.config.pop_key_use.check(key)?;
                Ok((kid, Some(key.clone())))
            }
            Some(cnf @ Cnf::EncryptedCoseKey(_)) => {
                let kek = self
                    .config
                    .cnf_key_encryption_key
                    .as_ref()
                    .ok_or(Error::UnusableConfirmation)?;
                let key = cnf
                    .decrypt_key(kek)
                    .map_err(|_| Error::UnusableConfirmation)?
                    .ok_or(Error::UnusableConfirmation)?;
                let kid = key.kid().cloned().ok_or(Error::UnusableConfirmation)?;
                self.config.pop_key_use.check(&key)?;
                Ok((kid, Some(key)))
            }
            Some(Cnf::Other(..)) => Err(Error::UnusableConfirmation),
        }
    }
}
