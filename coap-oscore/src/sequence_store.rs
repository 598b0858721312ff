//! Persistence of the Sender Sequence Number across reboots (RFC 8613 Appendix B.1.1).

/// The store refused or failed to persist a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFailed;

/// Non-volatile storage for one security context's sequence-number bound.
///
/// RFC 8613 Appendix B.1.1: the endpoint stores a value ahead of the sequence numbers it uses
/// ("store-ahead"); after a reboot it continues at the stored value, so no (key, nonce) pair
/// is ever reused, at the price of skipping up to one store-ahead step of numbers.
pub trait SequenceStore {
    /// The persisted bound, if any: every sequence number below it may have been used.
    fn load(&mut self) -> Result<Option<u64>, StoreFailed>;
    /// Persist `bound` durably before returning `Ok`: sequence numbers below it may now be used.
    fn store(&mut self, bound: u64) -> Result<(), StoreFailed>;
}

/// No persistence: for contexts that are never reused after a reboot (e.g. re-derived each
/// time with a fresh ID Context, Appendix B.2). Always loads `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Volatile;

impl SequenceStore for Volatile {
    fn load(&mut self) -> Result<Option<u64>, StoreFailed> {
        Ok(None)
    }
    fn store(&mut self, _bound: u64) -> Result<(), StoreFailed> {
        Ok(())
    }
}

/// A store in RAM (for tests and simulations of reboots: keep it, drop the context).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InMemoryStore {
    /// The last persisted bound.
    pub bound: Option<u64>,
    /// How many times `store` was called.
    pub writes: u64,
}

impl SequenceStore for InMemoryStore {
    fn load(&mut self) -> Result<Option<u64>, StoreFailed> {
        Ok(self.bound)
    }
    fn store(&mut self, bound: u64) -> Result<(), StoreFailed> {
        self.bound = Some(bound);
        self.writes += 1;
        Ok(())
    }
}

impl<S: SequenceStore + ?Sized> SequenceStore for &mut S {
    fn load(&mut self) -> Result<Option<u64>, StoreFailed> {
        (**self).load()
    }
    fn store(&mut self, bound: u64) -> Result<(), StoreFailed> {
        (**self).store(bound)
    }
}
