//! PeerTube mode as a WebAssembly module of its own: `pkg/tubeswarm_peertube.js`
//! and `_bg.wasm`, the npm package's `tubeswarm/peertube`, which
//! `www/peertube.js` and the element's view reports (`www/ui/views.js`) import
//! only for a PeerTube video: the page fetches the instance's answers and hands
//! them here (see `tubeswarm::peertube`).
//!
//! Why a module of its own: a page that plays any other video (and a
//! third-party player using the npm package) does not pay for reading an
//! instance's API (8.2 KiB brotli in the player's module; BENCHMARKS.md, the
//! bundle section). The code is the player's crate, `tubeswarm`, built without
//! its `player` feature, so no export of the player comes along.
//!
//! ```js
//! import init, { peertubeVideo } from "tubeswarm/peertube";
//! await init();
//! const { src, segmentsSha256Url, trackers } = peertubeVideo(await (await fetch(api)).json(), "https://video.example");
//! ```

#[cfg(target_arch = "wasm32")]
mod exports;
