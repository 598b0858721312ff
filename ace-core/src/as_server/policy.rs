//! The AS's authorization policy: which scope a client gets at an audience (RFC 9200 §5.8.1:
//! "the client MUST be authenticated and present a valid grant for the scopes requested").

use alloc::string::String;
use alloc::vec::Vec;

use crate::scope::Scope;

/// Why a policy refuses a token request (RFC 9200 §5.8.3, RFC 6749 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyRefusal {
    /// `invalid_scope`: the requested scope is invalid, unknown or exceeds what may be
    /// granted, and cannot be narrowed to anything.
    InvalidScope,
    /// `unauthorized_client`: this client may not obtain tokens for this audience.
    UnauthorizedClient,
}

/// Grants or narrows the scope of a token request.
pub trait Policy {
    /// The scope to put in the token (`requested` as given, or narrowed; a default when the
    /// request had none), or why not.
    fn grant(
        &self,
        client_id: &str,
        audience: &str,
        requested: Option<&Scope>,
    ) -> Result<Scope, PolicyRefusal>;
}

impl<P: Policy + ?Sized> Policy for &P {
    fn grant(
        &self,
        client_id: &str,
        audience: &str,
        requested: Option<&Scope>,
    ) -> Result<Scope, PolicyRefusal> {
        (**self).grant(client_id, audience, requested)
    }
}

/// A table of the scope each client may have at each audience. A request is narrowed to the
/// part the table allows ([`Scope::intersect`]: by token for text scopes, by path and method
/// for AIF; RFC 6749 §3.3 lets the AS "fully or partially ignore the scope requested"); no
/// scope in the request means everything allowed.
#[derive(Clone, Debug, Default)]
pub struct ScopePolicy {
    entries: Vec<(String, String, Scope)>,
}

impl ScopePolicy {
    /// An empty table: every request is `unauthorized_client`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows `client_id` the scope `allowed` at `audience`.
    #[must_use]
    pub fn allow(
        mut self,
        client_id: impl Into<String>,
        audience: impl Into<String>,
        allowed: Scope,
    ) -> Self {
        self.entries
            .push((client_id.into(), audience.into(), allowed));
        self
    }
}

impl Policy for ScopePolicy {
    fn grant(
        &self,
        client_id: &str,
        audience: &str,
        requested: Option<&Scope>,
    ) -> Result<Scope, PolicyRefusal> {
        let allowed = self
            .entries
            .iter()
            .find(|(c, a, _)| c == client_id && a == audience)
            .map(|(_, _, s)| s)
            .ok_or(PolicyRefusal::UnauthorizedClient)?;
        match requested {
            None => Ok(allowed.clone()),
            Some(asked) => asked.intersect(allowed).ok_or(PolicyRefusal::InvalidScope),
        }
    }
}
