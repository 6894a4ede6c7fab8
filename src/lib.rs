//! # tubeswarm
//!
//! A peer-to-peer HLS video player for the web. The crate has two halves:
//!
//! - a platform-free core, tested natively: [`hls`] (playlists, read by its own one-pass parser),
//!   [`engine`] (the sans-IO decisions: what to fetch, append, evict, which level),
//!   [`codecs`] (CODECS strings and init segments), [`remux`] (MPEG-TS → fragmented
//!   MP4 for MediaSource, for PeerTube's live streams; in the browser a wasm module
//!   of its own, `remux-wasm/`, loaded when a stream needs it), [`peertube`] (what an
//!   instance's API answers mean for the player), [`uri`] (RFC 3986 references), [`table`] (the
//!   sorted-`Vec` maps every table of the player uses), [`sort`] (its one sort), and
//!   [`decimal`], [`math`] and [`quoted`] (f64 from text, `pow` and quoted strings in
//!   messages, without std's tables in the wasm module);
//! - `web` (wasm32 only, the `player` feature): the thin browser layer that carries
//!   out the engine's decisions with fetch and MediaSource, and the JS API (`Player`).
//!   PeerTube mode's decisions (`peertube-wasm/`) and the stand-alone playlist
//!   and hashing functions (`tools-wasm/`) are modules of their own, built on
//!   this crate without `player`.

pub mod codecs;
pub mod decimal;
pub mod engine;
pub mod hls;
pub mod integrity;
pub mod json;
pub mod math;
pub mod p2p;
pub mod peertube;
pub mod quoted;
pub mod remux;
#[cfg(not(target_arch = "wasm32"))]
pub mod sim;
pub mod sort;
pub mod table;
pub mod uri;

/// JSON values across the wasm boundary, for the JS API of every module built on this crate.
#[cfg(target_arch = "wasm32")]
pub mod js_json;

#[cfg(all(target_arch = "wasm32", feature = "player"))]
pub mod web;

// talc rather than std's dlmalloc: 1.8 KiB brotli less in each module built on
// this crate (BENCHMARKS.md, the bundle section). The module is single-threaded.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
