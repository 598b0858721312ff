//! The EST-coaps functions, their short URIs and the paths they live under (RFC 9148 §5.1,
//! Table 1 and Table 2).

use crate::code::{Code, Method};
use crate::content_format::ContentFormat;
use crate::error::Error;
use alloc::string::String;
use alloc::vec::Vec;

/// RFC 9148 §5.1: the default root resource, `/.well-known/est`.
pub const WELL_KNOWN_EST: [&str; 2] = [".well-known", "est"];

/// One EST function, named by its short URI (RFC 9148 §5.1, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `/crts` = EST /cacerts.
    Crts,
    /// `/sen` = EST /simpleenroll.
    Sen,
    /// `/sren` = EST /simplereenroll.
    Sren,
    /// `/skg` = EST /serverkeygen, certificate as PKCS#7.
    Skg,
    /// `/skc` = EST /serverkeygen, certificate as application/pkix-cert.
    Skc,
    /// `/att` = EST /csrattrs.
    Att,
}

impl Function {
    /// All functions, in the order of Table 1.
    pub const ALL: [Function; 6] = [
        Function::Crts,
        Function::Sen,
        Function::Sren,
        Function::Skg,
        Function::Skc,
        Function::Att,
    ];

    /// RFC 9148 Table 1: the short path segment.
    #[must_use]
    pub const fn short_name(self) -> &'static str {
        match self {
            Function::Crts => "crts",
            Function::Sen => "sen",
            Function::Sren => "sren",
            Function::Skg => "skg",
            Function::Skc => "skc",
            Function::Att => "att",
        }
    }

    /// The function for a short path segment.
    #[must_use]
    pub fn from_short_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.short_name() == name)
    }

    /// RFC 9148 §5.1 / §9.2: the resource type used in discovery.
    #[must_use]
    pub const fn resource_type(self) -> &'static str {
        match self {
            Function::Crts => "ace.est.crts",
            Function::Sen => "ace.est.sen",
            Function::Sren => "ace.est.sren",
            Function::Skg => "ace.est.skg",
            Function::Skc => "ace.est.skc",
            Function::Att => "ace.est.att",
        }
    }

    /// RFC 9148 §5.5: the method of the function (GET for /crts and /att, POST otherwise).
    #[must_use]
    pub const fn method(self) -> Method {
        match self {
            Function::Crts | Function::Att => Method::Get,
            _ => Method::Post,
        }
    }

    /// RFC 9148 §5.5: the success code (2.05 for GET, 2.04 for POST).
    #[must_use]
    pub const fn success_code(self) -> Code {
        match self {
            Function::Crts | Function::Att => Code::CONTENT,
            _ => Code::CHANGED,
        }
    }

    /// RFC 9148 §5.3: the Content-Format of the request payload, if the function has one.
    #[must_use]
    pub const fn request_format(self) -> Option<ContentFormat> {
        match self {
            Function::Crts | Function::Att => None,
            _ => Some(ContentFormat::Pkcs10),
        }
    }

    /// RFC 9148 §5.1 (discovery) and §5.3: the response formats the function can produce,
    /// the default first (used when the request has no Accept option).
    #[must_use]
    pub const fn response_formats(self) -> &'static [ContentFormat] {
        match self {
            Function::Crts | Function::Sen | Function::Sren => {
                &[ContentFormat::Pkcs7CertsOnly, ContentFormat::PkixCert]
            }
            Function::Skg | Function::Skc => &[ContentFormat::MultipartCore],
            Function::Att => &[ContentFormat::CsrAttrs],
        }
    }

    /// RFC 9148 §5.3 / RFC 7252 §5.10.4: the response format for an Accept option value
    /// (`None` = no Accept: the default, 281 for certificates, EP-2).
    ///
    /// # Errors
    /// [`Error::NotAcceptable`] when the function cannot produce the requested format.
    pub fn negotiate(self, accept: Option<u16>) -> Result<ContentFormat, Error> {
        let formats = self.response_formats();
        match accept {
            None => formats.first().copied().ok_or(Error::NotAcceptable(0)),
            Some(id) => formats
                .iter()
                .copied()
                .find(|f| f.id() == id)
                .ok_or(Error::NotAcceptable(id)),
        }
    }
}

/// Where the EST resources of a server live: a root path (default `/.well-known/est`,
/// RFC 9148 §5.1) and an optional ArbitraryLabel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstPath {
    root: Vec<String>,
    label: Option<String>,
}

impl Default for EstPath {
    fn default() -> Self {
        EstPath {
            root: WELL_KNOWN_EST.iter().map(|s| String::from(*s)).collect(),
            label: None,
        }
    }
}

impl EstPath {
    /// A root resource given by its segments (for example `["est"]`), with an optional
    /// ArbitraryLabel (RFC 9148 §5.1).
    #[must_use]
    pub fn new(root: &[&str], label: Option<&str>) -> EstPath {
        EstPath {
            root: root.iter().map(|s| String::from(*s)).collect(),
            label: label.map(String::from),
        }
    }

    /// The same root with an ArbitraryLabel.
    #[must_use]
    pub fn with_label(mut self, label: &str) -> EstPath {
        self.label = Some(String::from(label));
        self
    }

    /// The Uri-Path segments of a function under this root.
    #[must_use]
    pub fn segments(&self, function: Function) -> Vec<String> {
        let mut v = self.root.clone();
        if let Some(l) = &self.label {
            v.push(l.clone());
        }
        v.push(String::from(function.short_name()));
        v
    }

    /// The path as text (`/.well-known/est/crts`), as used in link-format.
    #[must_use]
    pub fn path_string(&self, function: Function) -> String {
        let mut s = String::new();
        for seg in self.segments(function) {
            s.push('/');
            s.push_str(&seg);
        }
        s
    }

    /// Which function a request's Uri-Path segments address, if any.
    #[must_use]
    pub fn match_path<S: AsRef<str>>(&self, segments: &[S]) -> Option<Function> {
        let prefix = self.root.len() + usize::from(self.label.is_some());
        if segments.len() != prefix + 1 {
            return None;
        }
        let (head, last) = segments.split_at(prefix);
        let mut expected = self.root.iter().chain(self.label.iter());
        if !head
            .iter()
            .all(|s| expected.next().is_some_and(|e| e == s.as_ref()))
        {
            return None;
        }
        last.first()
            .and_then(|s| Function::from_short_name(s.as_ref()))
    }
}
