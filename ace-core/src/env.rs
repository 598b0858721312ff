//! The environment an engine runs in (ARCHITECTURE §2, sans-IO): time comes in through
//! [`Clock`], one request/response exchange goes out through [`Transport`], and randomness is
//! any `rand_core::CryptoRng` passed by the caller. Nothing here opens a socket or reads the
//! wall clock; `ace-tools` provides the real implementations.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

/// RFC 8392 §2 NumericDate (integer seconds since 1970-01-01T00:00:00Z, leap seconds
/// ignored), the unit of `exp`, `nbf` and `iat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The time `secs` seconds after the Unix epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// `self + secs`, saturating at the end of representable time (a token lifetime never
    /// wraps around into the past).
    #[must_use]
    pub const fn saturating_add(self, secs: u64) -> Self {
        Self(self.0.saturating_add(secs))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A source of trusted time.
///
/// RFC 9200 §5.10.1.2 / §5.10.3: an RS may have no synchronized clock. `now()` returning
/// `None` says exactly that, and switches the RS engine to the `exi` (expires-in, counted
/// from first receipt on the RS's own monotonic time) and `cnonce` mechanisms.
pub trait Clock {
    /// The current time, or `None` when this party has no trusted wall-clock time.
    fn now(&self) -> Option<UnixTime>;

    /// Seconds on a monotonic counter that need not be related to wall-clock time (uptime).
    /// RFC 9200 §5.10.3: `exi` is counted from the first receipt of a token on this counter.
    /// The default uses [`Clock::now`]; a clockless device overrides it with its uptime.
    fn monotonic(&self) -> u64 {
        self.now().map_or(0, UnixTime::as_secs)
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Option<UnixTime> {
        (**self).now()
    }
    fn monotonic(&self) -> u64 {
        (**self).monotonic()
    }
}

/// A clock set by hand: the test and simulation clock, and the clock of a device whose
/// firmware tracks time itself. `wall = None` models an RS without trusted time
/// (RFC 9200 §5.10.1.2); the monotonic counter then still advances with [`ManualClock::advance`].
#[derive(Debug, Default)]
pub struct ManualClock {
    wall: Cell<Option<UnixTime>>,
    monotonic: Cell<u64>,
}

impl ManualClock {
    /// A clock that reads `now` (or has no trusted time when `None`), uptime 0.
    pub fn new(now: Option<UnixTime>) -> Self {
        Self {
            wall: Cell::new(now),
            monotonic: Cell::new(0),
        }
    }

    /// Moves both the wall clock (if any) and the monotonic counter forward.
    pub fn advance(&self, secs: u64) {
        self.wall
            .set(self.wall.get().map(|t| t.saturating_add(secs)));
        self.monotonic
            .set(self.monotonic.get().saturating_add(secs));
    }

    /// Sets the wall-clock time (or removes trusted time with `None`).
    pub fn set(&self, now: Option<UnixTime>) {
        self.wall.set(now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Option<UnixTime> {
        self.wall.get()
    }
    fn monotonic(&self) -> u64 {
        self.monotonic.get()
    }
}

/// A CoAP request method (RFC 7252 §12.1.1, RFC 8132), the "action" of an access decision
/// (RFC 9200 §5.10.2) and the bit position of an AIF REST-method-set (RFC 9237 §3: CoAP
/// method number minus 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// 0.01 GET
    Get,
    /// 0.02 POST
    Post,
    /// 0.03 PUT
    Put,
    /// 0.04 DELETE
    Delete,
    /// 0.05 FETCH (RFC 8132)
    Fetch,
    /// 0.06 PATCH (RFC 8132)
    Patch,
    /// 0.07 iPATCH (RFC 8132)
    IPatch,
}

impl Method {
    /// The CoAP code byte (class 0).
    pub const fn code(self) -> u8 {
        match self {
            Self::Get => 1,
            Self::Post => 2,
            Self::Put => 3,
            Self::Delete => 4,
            Self::Fetch => 5,
            Self::Patch => 6,
            Self::IPatch => 7,
        }
    }

    /// The method for a CoAP code byte, `None` for anything that is not a request method.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Get),
            2 => Some(Self::Post),
            3 => Some(Self::Put),
            4 => Some(Self::Delete),
            5 => Some(Self::Fetch),
            6 => Some(Self::Patch),
            7 => Some(Self::IPatch),
            _ => None,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
            Self::Fetch => "FETCH",
            Self::Patch => "PATCH",
            Self::IPatch => "iPATCH",
        })
    }
}

/// A CoAP response code (RFC 7252 §12.1.2) as its wire byte; displayed dotted ("4.01").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResponseCode(u8);

impl ResponseCode {
    /// 2.01 Created
    pub const CREATED: Self = Self(coap_numbers::code::CREATED);
    /// 2.04 Changed
    pub const CHANGED: Self = Self(coap_numbers::code::CHANGED);
    /// 2.05 Content
    pub const CONTENT: Self = Self(coap_numbers::code::CONTENT);
    /// 4.00 Bad Request
    pub const BAD_REQUEST: Self = Self(coap_numbers::code::BAD_REQUEST);
    /// 4.01 Unauthorized
    pub const UNAUTHORIZED: Self = Self(coap_numbers::code::UNAUTHORIZED);
    /// 4.03 Forbidden
    pub const FORBIDDEN: Self = Self(coap_numbers::code::FORBIDDEN);
    /// 4.04 Not Found
    pub const NOT_FOUND: Self = Self(coap_numbers::code::NOT_FOUND);
    /// 4.05 Method Not Allowed
    pub const METHOD_NOT_ALLOWED: Self = Self(coap_numbers::code::METHOD_NOT_ALLOWED);
    /// 4.13 Request Entity Too Large
    pub const REQUEST_ENTITY_TOO_LARGE: Self = Self(coap_numbers::code::REQUEST_ENTITY_TOO_LARGE);
    /// 4.15 Unsupported Content-Format
    pub const UNSUPPORTED_CONTENT_FORMAT: Self =
        Self(coap_numbers::code::UNSUPPORTED_CONTENT_FORMAT);
    /// 4.29 Too Many Requests (RFC 8516)
    pub const TOO_MANY_REQUESTS: Self = Self(coap_numbers::code::TOO_MANY_REQUESTS);
    /// 5.00 Internal Server Error
    pub const INTERNAL_SERVER_ERROR: Self = Self(coap_numbers::code::INTERNAL_SERVER_ERROR);
    /// 5.03 Service Unavailable
    pub const SERVICE_UNAVAILABLE: Self = Self(coap_numbers::code::SERVICE_UNAVAILABLE);

    /// The code for a wire byte; `None` unless it is a response code (class 2, 4 or 5).
    pub const fn from_u8(code: u8) -> Option<Self> {
        match code >> 5 {
            2 | 4 | 5 => Some(Self(code)),
            _ => None,
        }
    }

    /// The wire byte.
    pub const fn as_u8(self) -> u8 {
        self.0
    }

    /// True for class 2 (Success).
    pub const fn is_success(self) -> bool {
        self.0 >> 5 == 2
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        coap_numbers::code::format_dotted(self.0, f)
    }
}

/// One CoAP request as a client driver hands it to a [`Transport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The Uri-Path, with a leading `/` ("/token", "/authz-info").
    pub path: String,
    /// The Content-Format option, if any (19 = application/ace+cbor, RFC 9200 §8.16).
    pub content_format: Option<u16>,
    /// The payload.
    pub payload: Vec<u8>,
}

/// The response to a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The response code.
    pub code: ResponseCode,
    /// The Content-Format option, if any.
    pub content_format: Option<u16>,
    /// The payload.
    pub payload: Vec<u8>,
}

/// Why an exchange produced no response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No response arrived in time (RFC 7252 §4.2: retransmissions exhausted).
    #[error("no response before the timeout")]
    Timeout,
    /// The response could not be decoded as a CoAP message, or was not a response.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The underlying I/O failed.
    #[error("transport I/O failed: {0}")]
    Io(String),
}

/// One request/response exchange with a peer (ARCHITECTURE §2). The client drivers of this
/// crate use it; the security of the channel (RFC 9200 §5: encrypted, integrity and replay
/// protected, mutually authenticated, responses bound to requests) is the implementation's
/// job and that of the profile in use.
pub trait Transport {
    /// Sends `request` and returns the matching response.
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError> {
        (**self).exchange(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_without_wall_time_still_counts_monotonic_seconds() {
        let clock = ManualClock::new(None);
        clock.advance(30);
        assert_eq!(clock.now(), None);
        assert_eq!(clock.monotonic(), 30);
        clock.set(Some(UnixTime::from_secs(100)));
        clock.advance(5);
        assert_eq!(clock.now(), Some(UnixTime::from_secs(105)));
    }

    #[test]
    fn method_codes_round_trip_and_non_methods_are_refused() {
        for code in 1..=7u8 {
            let m = Method::from_code(code).map(Method::code);
            assert_eq!(m, Some(code));
        }
        assert_eq!(Method::from_code(0), None);
        assert_eq!(Method::from_code(0x41), None);
    }

    #[test]
    fn response_codes_display_dotted_and_refuse_requests() {
        assert_eq!(alloc::format!("{}", ResponseCode::UNAUTHORIZED), "4.01");
        assert_eq!(ResponseCode::from_u8(0x45), Some(ResponseCode::CONTENT));
        assert_eq!(ResponseCode::from_u8(1), None);
        assert!(ResponseCode::CREATED.is_success());
        assert!(!ResponseCode::FORBIDDEN.is_success());
    }
}
