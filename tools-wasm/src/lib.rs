//! The JS API's playlist and hashing functions, which need no `Player`, as a
//! WebAssembly module of their own: `pkg/tubeswarm_tools.js` and `_bg.wasm`,
//! the npm package's `tubeswarm/tools`: parsing a playlist, refreshing a live
//! one, hashing like the verifier, for pages and tools (and the benchmarks)
//! that want one piece of the player without a video. The player imports it
//! itself on a page without WebCrypto, for its SHA-256 (`src/web/hashing.rs`).
//!
//! Why a module of its own: a page that plays a video does not pay for them
//! (1.5 KiB brotli in the player's module, and SHA-256 1.4 KiB more;
//! BENCHMARKS.md, the bundle section). The code is the player's crate,
//! `tubeswarm`, built without its `player` feature, so the same parser and
//! hash run in both modules.
//!
//! ```js
//! import init, { parsePlaylist } from "tubeswarm/tools";
//! await init();
//! const { kind, variants } = parsePlaylist(text, "https://example.org/master.m3u8");
//! ```

#[cfg(target_arch = "wasm32")]
mod playlists;
