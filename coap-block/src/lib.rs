#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

mod block1_sender;
mod block2_fetcher;
mod block2_slicer;
mod block_option;
mod error;
pub mod option_number;
mod reassembler;
mod request_tag;
mod szx;
mod transfer_options;
mod uint_value;

pub use block_option::BlockOption;
pub use block1_sender::{Block1Sender, OutgoingBlock, UploadStep};
pub use block2_fetcher::{Block2Fetcher, FetchStep};
pub use block2_slicer::{Block2Slice, serve_block2};
pub use error::Error;
pub use reassembler::{Block1Outcome, Reassembler, ReassemblyConfig};
pub use request_tag::{ETag, RequestTag, ShortOpaque};
pub use szx::Szx;
pub use transfer_options::TransferOptions;
pub use uint_value::UintValue;
