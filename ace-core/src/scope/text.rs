//! Text scopes (RFC 6749 §3.3, RFC 9200 §5.8.1): space-separated scope tokens.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::Error;

/// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`,
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
///
/// A parsed text scope: non-empty, tokens separated by exactly one space, only the allowed
/// characters. Construct with [`TextScope::parse`] or [`TextScope::from_tokens`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextScope(String);

/// RFC 6749 §3.3: the characters a scope token may contain.
const fn is_scope_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

impl TextScope {
    /// Parses a scope string strictly.
    ///
    /// # Errors
    /// [`Error::EmptyScope`], [`Error::EmptyScopeToken`] (leading, trailing or doubled
    /// space), [`Error::InvalidScopeCharacter`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.is_empty() {
            return Err(Error::EmptyScope);
        }
        let mut token_start = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b' ' {
                if token_start {
                    return Err(Error::EmptyScopeToken(i));
                }
                token_start = true;
            } else if is_scope_char(b) {
                token_start = false;
            } else {
                return Err(Error::InvalidScopeCharacter(i));
            }
        }
        if token_start {
            return Err(Error::EmptyScopeToken(text.len()));
        }
        Ok(TextScope(String::from(text)))
    }

    /// Builds a scope from tokens, each checked against the grammar.
    ///
    /// # Errors
    /// As [`TextScope::parse`].
    pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Result<Self, Error> {
        let joined: Vec<&str> = tokens.into_iter().collect();
        Self::parse(&joined.join(" "))
    }

    /// The scope string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scope tokens in order.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ')
    }

    /// Whether `token` is one of the scope tokens.
    #[must_use]
    pub fn contains(&self, token: &str) -> bool {
        self.tokens().any(|t| t == token)
    }

    /// RFC 6749 §3.3: "the authorization server MAY fully or partially ignore the scope
    /// requested": the tokens of `self` that `other` also has, in `self`'s order, duplicates
    /// dropped; `None` if none remain.
    #[must_use]
    pub fn intersect(&self, other: &TextScope) -> Option<TextScope> {
        let allowed: BTreeSet<&str> = other.tokens().collect();
        let mut seen = BTreeSet::new();
        let kept: Vec<&str> = self
            .tokens()
            .filter(|t| allowed.contains(t) && seen.insert(*t))
            .collect();
        if kept.is_empty() {
            None
        } else {
            Some(TextScope(kept.join(" ")))
        }
    }

    /// Whether every token of `self` is in `other` (a granted scope is a subset of the
    /// requested one).
    #[must_use]
    pub fn is_subset_of(&self, other: &TextScope) -> bool {
        let allowed: BTreeSet<&str> = other.tokens().collect();
        self.tokens().all(|t| allowed.contains(t))
    }
}

impl fmt::Display for TextScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for TextScope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}
