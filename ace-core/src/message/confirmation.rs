//! The `req_cnf`, `cnf` and `rs_cnf` parameters (RFC 9201 §3, §4, §5).

use alloc::string::ToString;

use ace_cwt::Cnf;
use ciborium::Value;

use crate::Error;

/// RFC 9201 §3–§5: a confirmation (`req_cnf`, `cnf`, `rs_cnf`), whose value "must follow
/// the syntax of "cnf" claim values from Section 3.1 of RFC 8747".
///
/// It holds the parsed [`Cnf`] and the CBOR value it came from, so that a decoded message
/// re-encodes with its peer's key order inside the COSE_Key (RFC 9200 Figures 12 and 17 list
/// `kid` before `kty`). Built from a [`Cnf`], the value is ace-cwt's deterministic encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    cnf: Cnf,
    wire: Value,
}

impl Confirmation {
    /// A confirmation for `cnf`.
    ///
    /// # Errors
    /// [`Error::InvalidConfirmation`] if `cnf` cannot be encoded (e.g. a key ace-cwt cannot
    /// express as a COSE_Key).
    pub fn new(cnf: Cnf) -> Result<Self, Error> {
        let wire = cnf
            .to_cbor_value()
            .map_err(|e| Error::InvalidConfirmation {
                parameter: "cnf",
                reason: e.to_string(),
            })?;
        Ok(Confirmation { cnf, wire })
    }

    /// Strictly parses a confirmation map received as parameter `parameter`.
    ///
    /// # Errors
    /// [`Error::InvalidConfirmation`] with ace-cwt's reason.
    pub fn from_cbor_value(parameter: &'static str, value: Value) -> Result<Self, Error> {
        let cnf = Cnf::from_cbor_value(value.clone()).map_err(|e| Error::InvalidConfirmation {
            parameter,
            reason: e.to_string(),
        })?;
        Ok(Confirmation { cnf, wire: value })
    }

    /// The parsed confirmation.
    #[must_use]
    pub fn cnf(&self) -> &Cnf {
        &self.cnf
    }

    /// The parsed confirmation, owned.
    #[must_use]
    pub fn into_cnf(self) -> Cnf {
        self.cnf
    }

    /// The CBOR value (as received, or deterministic when built).
    #[must_use]
    pub fn to_cbor_value(&self) -> Value {
        self.wire.clone()
    }

    /// The same confirmation with ace-cwt's deterministic encoding.
    #[must_use]
    pub fn into_deterministic(self) -> Self {
        match Confirmation::new(self.cnf.clone()) {
            Ok(c) => c,
            Err(_) => self,
        }
    }
}

impl TryFrom<Cnf> for Confirmation {
    type Error = Error;
    fn try_from(cnf: Cnf) -> Result<Self, Error> {
        Confirmation::new(cnf)
    }
}
