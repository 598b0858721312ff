//! Client side of a Block1 transfer: split a request body into blocks (RFC 7959 §2.5).

use coap_numbers::code;

use crate::{BlockOption, Error, Szx, TransferOptions};

/// One request of a Block1 transfer, to be sent by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingBlock<'a> {
    /// RFC 7959 §2.3 (descriptive usage): the Block1 option of this request.
    pub block1: BlockOption,
    /// The slice of the body this request carries.
    pub payload: &'a [u8],
    /// RFC 7959 §4: Size1 (the body's total size) sent with the first block.
    pub size1: Option<u32>,
}

/// What the caller does after [`Block1Sender::handle_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStep {
    /// Send the block given by [`Block1Sender::current`] (the next one, possibly at a new size).
    SendNext,
    /// RFC 7959 §2.9.2 / §2.9.3: the server lost the body (4.08) or asked for smaller blocks
    /// (4.13); the transfer starts again from block 0, given by [`Block1Sender::current`].
    Restarted,
    /// The last block was acknowledged with a final response: the upload is done. That
    /// response may carry the first Block2 block of the response body (RFC 7959 §2.7).
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UploadState {
    Sending,
    Complete,
    Failed,
}

/// RFC 7959 §2.5: the client state of one block-wise request (PUT/POST/FETCH...) body.
///
/// Sans-IO: [`current`](Self::current) says what to send, [`handle_response`](Self::handle_response)
/// takes the response code and options and says what to do next. The body is borrowed, nothing
/// is allocated.
#[derive(Debug, Clone)]
pub struct Block1Sender<'a> {
    body: &'a [u8],
    szx: Szx,
    offset: usize,
    restarts_left: u8,
    state: UploadState,
}

impl<'a> Block1Sender<'a> {
    /// Split `body` into blocks of `szx`; on 4.08 restart at most `max_restarts` times.
    ///
    /// Refuses a body that needs more than 2^20 blocks at this size (RFC 7959 §2.2).
    pub fn new(body: &'a [u8], szx: Szx, max_restarts: u8) -> Result<Self, Error> {
        let sender = Block1Sender {
            body,
            szx,
            offset: 0,
            restarts_left: max_restarts,
            state: UploadState::Sending,
        };
        sender.check_fits(szx)?;
        Ok(sender)
    }

    fn check_fits(&self, szx: Szx) -> Result<(), Error> {
        let last = self.body.len().saturating_sub(1) / szx.block_size();
        match u32::try_from(last) {
            Ok(num) if num <= BlockOption::MAX_NUM => Ok(()),
            _ => Err(Error::BlockNumberTooLarge { num: u32::MAX }),
        }
    }

    /// The current block size.
    pub fn szx(&self) -> Szx {
        self.szx
    }

    /// True once the final response to the last block arrived.
    pub fn is_complete(&self) -> bool {
        self.state == UploadState::Complete
    }

    /// The request to send now (or to retransmit).
    pub fn current(&self) -> Result<OutgoingBlock<'a>, Error> {
        if self.state != UploadState::Sending {
            return Err(Error::TransferFinished);
        }
        let size = self.szx.block_size();
        let end = self.offset.saturating_add(size).min(self.body.len());
        let payload = self.body.get(self.offset..end).unwrap_or(&[]);
        let more = end < self.body.len();
        let block1 = BlockOption::at_offset(self.offset, more, self.szx)?;
        let size1 = if self.offset == 0 {
            u32::try_from(self.body.len()).ok()
        } else {
            None
        };
        Ok(OutgoingBlock {
            block1,
            payload,
            size1,
        })
    }

    /// Process the response (its code and options) to the block from [`current`](Self::current).
    ///
    /// - 2.31 Continue (RFC 7959 §2.9.1) or another 2.xx to a non-final block (a server acting
    ///   per block, §2.3): move on; a smaller SZX in the response's Block1 is adopted for the
    ///   remaining blocks with the block number scaled (§2.5, Figure 9).
    /// - 2.xx to the final block: [`UploadStep::Complete`].
    /// - 4.13 (§2.9.3): a Size1 below the body length fails with [`Error::BodyRefused`];
    ///   otherwise restart from block 0 with the smaller SZX of the response's Block1, or one
    ///   size smaller; at 16 bytes, fail.
    /// - 4.08 (§2.9.2): restart from block 0 while restarts remain, else
    ///   [`Error::RestartsExhausted`].
    /// - Anything else fails with [`Error::UnexpectedResponse`].
    ///
    /// A success response whose Block1 acknowledges a different block is refused with
    /// [`Error::UnexpectedBlock`] and changes nothing. Failures from the peer end the transfer.
    pub fn handle_response(
        &mut self,
        response_code: u8,
        options: &TransferOptions,
    ) -> Result<UploadStep, Error> {
        let sent = self.current()?;
        let class = response_code >> 5;
        // Only a success response acknowledges a block; in a 4.13 the Block1 is a size hint.
        if let Some(ack) = options.block1.filter(|_| class == 2) {
            // The ack counts in the size of the request it acknowledges (RFC 7959 Figure 9).
            let acked = (ack.num as usize).checked_mul(self.szx.block_size());
            if acked != Some(self.offset) {
                return Err(Error::UnexpectedBlock {
                    got: ack.num,
                    expected_offset: self.offset,
                });
            }
        }
        match response_code {
            _ if class == 2 => {
                if !sent.block1.more {
                    if response_code == code::CONTINUE {
                        self.state = UploadState::Failed;
                        return Err(Error::UnexpectedResponse {
                            code: response_code,
                        });
                    }
                    self.state = UploadState::Complete;
                    return Ok(UploadStep::Complete);
                }
                let next_szx = match options.block1 {
                    Some(ack) if ack.szx < self.szx => ack.szx,
                    _ => self.szx,
                };
                self.offset += sent.payload.len();
                self.szx = next_szx;
                Ok(UploadStep::SendNext)
            }
            code::REQUEST_ENTITY_TOO_LARGE => {
                let body = self.body.len();
                if options.size1.is_some_and(|max| (max as usize) < body) {
                    self.state = UploadState::Failed;
                    return Err(Error::BodyRefused {
                        body,
                        limit: options.size1,
                    });
                }
                let smaller = match options.block1 {
                    Some(hint) if hint.szx < self.szx => Some(hint.szx),
                    _ => self.szx.smaller(),
                };
                match smaller {
                    Some(szx) => {
                        self.szx = szx;
                        self.offset = 0;
                        Ok(UploadStep::Restarted)
                    }
                    None => {
                        self.state = UploadState::Failed;
                        Err(Error::BodyRefused {
                            body,
                            limit: options.size1,
                        })
                    }
                }
            }
            code::REQUEST_ENTITY_INCOMPLETE => {
                if self.restarts_left == 0 {
                    self.state = UploadState::Failed;
                    return Err(Error::RestartsExhausted);
                }
                self.restarts_left -= 1;
                self.offset = 0;
                Ok(UploadStep::Restarted)
            }
            other => {
                self.state = UploadState::Failed;
                Err(Error::UnexpectedResponse { code: other })
            }
        }
    }
}
