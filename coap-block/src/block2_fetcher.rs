//! Client side of a Block2 transfer: fetch a response body block by block (RFC 7959 §2.4).

use coap_numbers::code;

use crate::{BlockOption, ETag, Error, Szx, TransferOptions};

/// What the caller does after [`Block2Fetcher::handle_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStep {
    /// RFC 7959 §2.4: send the same request again with this Block2 option (control usage).
    Request(BlockOption),
    /// The whole body is in the buffer: [`Block2Fetcher::body`] has this many bytes.
    Complete(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FetchState {
    Receiving,
    Complete,
}

/// RFC 7959 §2.4: the client state of one block-wise response body, reassembled into a
/// caller-provided buffer (no allocation).
///
/// - Early negotiation: a preferred size puts Block2 `0/0/size` on the first request.
/// - Late negotiation: [`set_preferred_szx`](Self::set_preferred_szx) at any time; the next
///   request asks for the same byte offset in smaller blocks (block number scaled).
/// - The server's smaller size is always followed (§2.3 "the next request MUST move SZX down").
/// - ETags are compared (§2.4 "MUST compare ETag Options"): a changed one is
///   [`Error::RepresentationChanged`]; call [`restart`](Self::restart) to fetch afresh.
#[derive(Debug)]
pub struct Block2Fetcher<'b> {
    buf: &'b mut [u8],
    len: usize,
    preferred: Option<Szx>,
    szx: Option<Szx>,
    etag: Option<ETag>,
    state: FetchState,
}

impl<'b> Block2Fetcher<'b> {
    /// A fetcher writing into `buf`, optionally asking for `preferred` blocks from the start.
    pub fn new(buf: &'b mut [u8], preferred: Option<Szx>) -> Self {
        Block2Fetcher {
            buf,
            len: 0,
            preferred,
            szx: None,
            etag: None,
            state: FetchState::Receiving,
        }
    }

    /// RFC 7959 §2.4: the Block2 option for the next request (`None`: send no Block2, i.e. the
    /// first request without early negotiation).
    pub fn next_request(&self) -> Option<BlockOption> {
        if self.state != FetchState::Receiving {
            return None;
        }
        let szx = match (self.szx, self.preferred) {
            (Some(server), Some(ours)) => server.min(ours),
            (Some(server), None) => server,
            (None, preferred) => preferred?,
        };
        BlockOption::at_offset(self.len, false, szx).ok()
    }

    /// Late negotiation (RFC 7959 §2.4, §3.2 Figure 5): use at most `szx` from the next request on.
    pub fn set_preferred_szx(&mut self, szx: Szx) {
        self.preferred = Some(szx);
    }

    /// The bytes reassembled so far (the whole body after [`FetchStep::Complete`]).
    pub fn body(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// The ETag of the representation being fetched, if the server sent one.
    pub fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }

    /// Forget what was received (e.g. after [`Error::RepresentationChanged`]) and start over
    /// from block 0; the negotiated size is kept.
    pub fn restart(&mut self) {
        self.len = 0;
        self.etag = None;
        self.state = FetchState::Receiving;
    }

    /// Process one response: its code, block-wise options and payload.
    ///
    /// Any error leaves the fetcher unchanged (the response is not used).
    pub fn handle_response(
        &mut self,
        response_code: u8,
        options: &TransferOptions,
        payload: &[u8],
    ) -> Result<FetchStep, Error> {
        if self.state != FetchState::Receiving {
            return Err(Error::TransferFinished);
        }
        if response_code >> 5 != 2 || response_code == code::CONTINUE {
            return Err(Error::UnexpectedResponse {
                code: response_code,
            });
        }
        let Some(block) = options.block2 else {
            // No Block2: the whole body, acceptable only as the answer to the first request.
            if self.len != 0 {
                return Err(Error::UnexpectedBlock {
                    got: 0,
                    expected_offset: self.len,
                });
            }
            self.store(0, payload)?;
            self.etag = options.etag;
            self.state = FetchState::Complete;
            return Ok(FetchStep::Complete(self.len));
        };
        if block.offset() != self.len {
            return Err(Error::UnexpectedBlock {
                got: block.num,
                expected_offset: self.len,
            });
        }
        let size = block.size();
        if (block.more && payload.len() != size) || payload.len() > size {
            return Err(Error::PayloadSizeMismatch {
                payload: payload.len(),
                size,
            });
        }
        if self.len != 0 && options.etag != self.etag {
            return Err(Error::RepresentationChanged);
        }
        if block.more {
            // Check the next request is expressible before taking the block.
            BlockOption::at_offset(self.len + size, false, block.szx)?;
        }
        let first = self.len == 0;
        self.store(self.len, payload)?;
        if first {
            self.etag = options.etag;
        }
        self.szx = Some(block.szx);
        if block.more {
            match self.next_request() {
                Some(next) => Ok(FetchStep::Request(next)),
                None => Err(Error::BlockNumberTooLarge { num: u32::MAX }),
            }
        } else {
            self.state = FetchState::Complete;
            Ok(FetchStep::Complete(self.len))
        }
    }

    fn store(&mut self, at: usize, payload: &[u8]) -> Result<(), Error> {
        let capacity = self.buf.len();
        let end = at
            .checked_add(payload.len())
            .filter(|end| *end <= capacity)
            .ok_or(Error::BufferTooSmall { capacity })?;
        self.buf
            .get_mut(at..end)
            .ok_or(Error::BufferTooSmall { capacity })?
            .copy_from_slice(payload);
        self.len = end;
        Ok(())
    }
}
