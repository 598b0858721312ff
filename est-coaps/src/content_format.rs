//! EST-coaps Content-Formats (RFC 9148 §5.3 and §9.1, Table 5; RFC 8710 for 62).

/// A Content-Format EST-coaps uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentFormat {
    /// 40: application/link-format (RFC 6690), the discovery response.
    LinkFormat,
    /// 62: application/multipart-core (RFC 8710), the /skg and /skc responses.
    MultipartCore,
    /// 280: application/pkcs7-mime; smime-type=server-generated-key (CMS-encrypted key).
    Pkcs7ServerGeneratedKey,
    /// 281: application/pkcs7-mime; smime-type=certs-only.
    Pkcs7CertsOnly,
    /// 284: application/pkcs8 (unencrypted private key).
    Pkcs8,
    /// 285: application/csrattrs.
    CsrAttrs,
    /// 286: application/pkcs10 (a CSR).
    Pkcs10,
    /// 287: application/pkix-cert (a single DER certificate; TBD287 in the draft).
    PkixCert,
}

impl ContentFormat {
    /// RFC 9148 §9.1: the registered number.
    #[must_use]
    pub const fn id(self) -> u16 {
        match self {
            ContentFormat::LinkFormat => 40,
            ContentFormat::MultipartCore => 62,
            ContentFormat::Pkcs7ServerGeneratedKey => 280,
            ContentFormat::Pkcs7CertsOnly => 281,
            ContentFormat::Pkcs8 => 284,
            ContentFormat::CsrAttrs => 285,
            ContentFormat::Pkcs10 => 286,
            ContentFormat::PkixCert => 287,
        }
    }

    /// The format with this number, if EST-coaps uses it.
    #[must_use]
    pub const fn from_id(id: u16) -> Option<ContentFormat> {
        Some(match id {
            40 => ContentFormat::LinkFormat,
            62 => ContentFormat::MultipartCore,
            280 => ContentFormat::Pkcs7ServerGeneratedKey,
            281 => ContentFormat::Pkcs7CertsOnly,
            284 => ContentFormat::Pkcs8,
            285 => ContentFormat::CsrAttrs,
            286 => ContentFormat::Pkcs10,
            287 => ContentFormat::PkixCert,
            _ => return None,
        })
    }

    /// The media type this number stands for (RFC 9148 Table 5).
    #[must_use]
    pub const fn media_type(self) -> &'static str {
        match self {
            ContentFormat::LinkFormat => "application/link-format",
            ContentFormat::MultipartCore => "application/multipart-core",
            ContentFormat::Pkcs7ServerGeneratedKey => {
                "application/pkcs7-mime; smime-type=server-generated-key"
            }
            ContentFormat::Pkcs7CertsOnly => "application/pkcs7-mime; smime-type=certs-only",
            ContentFormat::Pkcs8 => "application/pkcs8",
            ContentFormat::CsrAttrs => "application/csrattrs",
            ContentFormat::Pkcs10 => "application/pkcs10",
            ContentFormat::PkixCert => "application/pkix-cert",
        }
    }
}
