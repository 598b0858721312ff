//! The Authorization Server engine (RFC 9200 §5.8 token endpoint, §5.9 introspection
//! endpoint). Sans-IO: requests come in as decoded messages with the identity the secure
//! channel established, time from a [`Clock`](crate::env::Clock), randomness from the caller.

mod introspection;
mod policy;
mod registry;
mod token_endpoint;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::Claims;

use crate::env::UnixTime;

pub use policy::{Policy, PolicyRefusal, ScopePolicy};
pub use registry::{AsymmetricKeyType, ClientEntry, RsEntry, TokenFormat};

/// The AS's configuration.
#[derive(Clone, Debug)]
pub struct AsConfig {
    /// The `iss` claim of issued tokens (RFC 8392 §3.1.1).
    pub issuer: String,
    /// How many reference tokens (RFC 9200 §5.9) are remembered at most; when full, expired
    /// ones are dropped first, else issuing another reference token is refused.
    pub reference_capacity: usize,
}

impl AsConfig {
    /// An AS calling itself `issuer`, remembering up to 1024 reference tokens.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            reference_capacity: 1024,
        }
    }
}

/// One reference token and what it stands for.
#[derive(Clone, Debug, PartialEq)]
struct ReferenceEntry {
    claims: Claims,
    expires: Option<UnixTime>,
}

/// The Authorization Server.
#[derive(Debug)]
pub struct AuthorizationServer<P> {
    config: AsConfig,
    clients: Vec<ClientEntry>,
    resource_servers: Vec<RsEntry>,
    policy: P,
    /// RFC 9200 §5.10.3: per RS, the number of `exi` tokens issued so far.
    exi_counters: BTreeMap<String, u64>,
    /// RFC 9200 §5.9: reference tokens by their bytes.
    references: BTreeMap<Vec<u8>, ReferenceEntry>,
}

impl<P: Policy> AuthorizationServer<P> {
    /// An AS with no clients and no resource servers.
    pub fn new(config: AsConfig, policy: P) -> Self {
        Self {
            config,
            clients: Vec::new(),
            resource_servers: Vec::new(),
            policy,
            exi_counters: BTreeMap::new(),
            references: BTreeMap::new(),
        }
    }

    /// Registers (or replaces) a client.
    pub fn add_client(&mut self, client: ClientEntry) {
        self.clients.retain(|c| c.client_id != client.client_id);
        self.clients.push(client);
    }

    /// Registers (or replaces) a resource server.
    pub fn add_resource_server(&mut self, rs: RsEntry) {
        self.resource_servers.retain(|r| r.audience != rs.audience);
        self.resource_servers.push(rs);
    }

    /// The configuration.
    pub fn config(&self) -> &AsConfig {
        &self.config
    }

    /// RFC 9200 §5.10.3: how many `exi` tokens were issued for `audience`.
    pub fn exi_counter(&self, audience: &str) -> u64 {
        self.exi_counters.get(audience).copied().unwrap_or(0)
    }

    /// Number of reference tokens remembered.
    pub fn reference_count(&self) -> usize {
        self.references.len()
    }

    fn client(&self, client_id: &str) -> Option<&ClientEntry> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    fn resource_server(&self, audience: &str) -> Option<&RsEntry> {
        self.resource_servers
            .iter()
            .find(|r| r.audience == audience)
    }
}
