//! CoAP methods and response codes used by EST-coaps (RFC 7252 §12.1, RFC 9148 §5.5).

/// A CoAP response code `class.detail` as its one-byte wire value (RFC 7252 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(pub u8);

impl Code {
    /// 2.04 Changed: success of POST /sen, /sren, /skg, /skc (RFC 9148 §5.5).
    pub const CHANGED: Code = Code::new(2, 4);
    /// 2.05 Content: success of GET /crts, /att and discovery (RFC 9148 §5.5).
    pub const CONTENT: Code = Code::new(2, 5);
    /// 2.31 Continue (RFC 7959 §2.9.1).
    pub const CONTINUE: Code = Code::new(2, 31);
    /// 4.00 Bad Request.
    pub const BAD_REQUEST: Code = Code::new(4, 0);
    /// 4.01 Unauthorized.
    pub const UNAUTHORIZED: Code = Code::new(4, 1);
    /// 4.03 Forbidden.
    pub const FORBIDDEN: Code = Code::new(4, 3);
    /// 4.04 Not Found.
    pub const NOT_FOUND: Code = Code::new(4, 4);
    /// 4.05 Method Not Allowed.
    pub const METHOD_NOT_ALLOWED: Code = Code::new(4, 5);
    /// 4.06 Not Acceptable.
    pub const NOT_ACCEPTABLE: Code = Code::new(4, 6);
    /// 4.15 Unsupported Content-Format.
    pub const UNSUPPORTED_CONTENT_FORMAT: Code = Code::new(4, 15);
    /// 5.00 Internal Server Error.
    pub const INTERNAL_SERVER_ERROR: Code = Code::new(5, 0);
    /// 5.01 Not Implemented.
    pub const NOT_IMPLEMENTED: Code = Code::new(5, 1);
    /// 5.03 Service Unavailable (with Max-Age: RFC 9148 §5.7).
    pub const SERVICE_UNAVAILABLE: Code = Code::new(5, 3);

    /// Builds `class.detail` (class 0..=7, detail 0..=31).
    #[must_use]
    pub const fn new(class: u8, detail: u8) -> Code {
        Code(((class & 0x07) << 5) | (detail & 0x1f))
    }

    /// The class (2 = success, 4 = client error, 5 = server error).
    #[must_use]
    pub const fn class(self) -> u8 {
        self.0 >> 5
    }

    /// The detail.
    #[must_use]
    pub const fn detail(self) -> u8 {
        self.0 & 0x1f
    }
}

impl core::fmt::Display for Code {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:02}", self.class(), self.detail())
    }
}

/// The request methods EST-coaps uses (RFC 7252 §5.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET (code 0.01).
    Get,
    /// POST (code 0.02).
    Post,
    /// PUT (code 0.03).
    Put,
    /// DELETE (code 0.04).
    Delete,
    /// FETCH, PATCH, iPATCH or anything else.
    Other(u8),
}

impl Method {
    /// The method from its code byte.
    #[must_use]
    pub fn from_code(code: u8) -> Method {
        match code {
            1 => Method::Get,
            2 => Method::Post,
            3 => Method::Put,
            4 => Method::Delete,
            c => Method::Other(c),
        }
    }

    /// The code byte of this method.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Method::Get => 1,
            Method::Post => 2,
            Method::Put => 3,
            Method::Delete => 4,
            Method::Other(c) => c,
        }
    }
}
