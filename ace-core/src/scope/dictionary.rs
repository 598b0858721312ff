//! The meaning of text scope tokens, configured by the application.

use alloc::string::String;
use alloc::vec::Vec;

use super::{AifScope, TextScope};
use crate::Error;

/// RFC 9200 §5.8.1 leaves the meaning of scope tokens to the application: this table maps
/// each token (e.g. `"rTempC"`) to the AIF permissions it stands for, so that text scopes can
/// be checked with [`AifScope::permits`]. It is configuration, not attacker input.
#[derive(Debug, Clone, Default)]
pub struct ScopeDictionary {
    tokens: Vec<(String, AifScope)>,
}

impl ScopeDictionary {
    /// An empty dictionary.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines (or redefines) `token`.
    #[must_use]
    pub fn define(mut self, token: &str, permissions: AifScope) -> Self {
        match self.tokens.iter_mut().find(|(t, _)| t == token) {
            Some(slot) => slot.1 = permissions,
            None => self.tokens.push((String::from(token), permissions)),
        }
        self
    }

    /// The union of the permissions of every token of `scope`.
    ///
    /// # Errors
    /// [`Error::ScopeNotAif`] when a token is not defined.
    pub fn resolve(&self, scope: &TextScope) -> Result<AifScope, Error> {
        let mut out = AifScope::new();
        for token in scope.tokens() {
            let (_, perms) = self
                .tokens
                .iter()
                .find(|(t, _)| t == token)
                .ok_or(Error::ScopeNotAif)?;
            for e in perms.entries() {
                out = out.allow(e.path(), e.methods())?;
            }
        }
        Ok(out)
    }
}
