//! # tubeswarm
//!
//! A peer-to-peer HLS video player for the web. The crate has two halves:
//!
//! - a platform-free core, tested natively: [`hls`] (playlists over m3u8-rs),
//!   [`engine`] (the sans-IO decisions: what to fetch, append, evict, which level),
//!   [`codecs`] (CODECS strings and init segments);
//! - `web` (wasm32 only): the thin browser layer that carries out the engine's
//!   decisions with fetch and MediaSource, and the JS API (`Player`).

pub mod codecs;
pub mod engine;
pub mod hls;
pub mod integrity;
pub mod p2p;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod web;
