//! The p2p-media-loader 2.x peer wire protocol, pure (no IO, no clock, no
//! OS randomness), byte-compatible with `p2p-media-loader-core@2.3.1` (and
//! 2.2.x, whose command format is the same).
//!
//! The reference is `shared/reference/p2pml-2.3.1/PROTOCOL.md`; section
//! numbers (§) in this module point there.
//!
//! - [`command`]: the six commands and their body encoding (§3.3–3.5).
//! - [`wire`]: the value encodings inside a body: Int, SimilarIntArray, String (§3.4).
//! - [`framing`]: `cstr`/`cend`/`dstr`/`dend` framing and splitting, the
//!   [`Reassembler`] for received messages, and segment-data chunking (§3.1,
//!   §3.2, §3.6, §8).
//! - [`ids`]: stream index, stream swarm id, tracker info_hash (2.3 and 2.2
//!   forms) and peer ids (§1).
//!
//! Sending a command: `command.encode(max_message_size)` gives the messages to
//! send back to back. Receiving: feed every data-channel message, in order, to
//! one [`Reassembler`] per connection; it yields commands and segment data and
//! silently drops what p2pml drops (nothing here ever asks to close a
//! connection; that is the caller's decision, per §4.4).
//!
//! Vectors: `tests/vectors/p2pml-2.3.1.json` holds bytes produced by the npm
//! package itself (`tests/vectors/p2pml-vectors.mjs`); the tests check every
//! case of it and every command of the shared capture.

pub mod command;
pub mod digest;
pub mod framing;
pub mod ids;
pub(crate) mod js;
pub mod wire;

pub use command::{Command, DecodeError, Decoded};
pub use framing::{
    data_chunks, frame_command, is_command_chunk, DataChunks, Reassembler, ReassemblyStats, Received,
    DEFAULT_MAX_MESSAGE_SIZE,
};
pub use ids::{
    generate_peer_id, hlsjs_video_codec, info_hash, info_hash_v2_2, stream_swarm_id, swarm_id_from_url,
    StreamProperties, StreamType, PEER_ID_PREFIX,
};

#[cfg(test)]
mod conformance_tests;

/// Hex to bytes for tests; spaces are ignored.
#[cfg(test)]
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

/// Bytes to lower-case hex for tests.
#[cfg(test)]
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
