#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

mod aad;
mod algorithm;
mod error;
mod exchange;
mod identifier;
mod key_derivation;
mod nonce;
mod option_class;
mod oscore_option;
mod partial_iv;
mod plaintext;
mod protect;
mod proxy_uri;
mod replay_window;
mod security_context;
mod sequence_store;
mod unprotect;

pub use algorithm::AeadAlgorithm;
pub use error::{BAD_OPTION, BAD_REQUEST, Error, UNAUTHORIZED};
pub use exchange::{EchoChallenge, RequestId, ResponsePartialIv, VerifiedRequest};
pub use identifier::{IdContext, MAX_ID_CONTEXT_LEN, MAX_ID_LEN, OscoreId};
pub use key_derivation::{InfoType, MAX_INFO_LEN, info as kdf_info};
pub use option_class::{OptionClass, classify as option_class};
pub use oscore_option::{OSCORE, OscoreOption};
pub use partial_iv::{EncodedPartialIv, MAX_SEQUENCE_NUMBER, PartialIv};
pub use protect::{CHANGED, CONTENT, FETCH, POST};
pub use replay_window::{DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW, ReplayWindow, WindowState};
pub use security_context::{
    ContextParams, DEFAULT_STORE_AHEAD, MAX_ECHO_LEN, MAX_MASTER_LEN, SecurityContext,
};
pub use sequence_store::{InMemoryStore, SequenceStore, StoreFailed, Volatile};
pub use unprotect::{OPTION_SCRATCH_LEN, peek_oscore_option};

/// The `coap-message` 0.3 traits this crate reads and writes messages through.
pub use coap_message;

/// Option numbers with a special rule in RFC 8613 §4.1.3.
pub mod options {
    pub use crate::option_class::{
        BLOCK1, BLOCK2, ECHO, IF_MATCH, MAX_AGE, NO_RESPONSE, OBSERVE, PROXY_SCHEME, PROXY_URI,
        REQUEST_TAG, SIZE1, SIZE2, URI_HOST, URI_PATH, URI_PORT, URI_QUERY,
    };
}
