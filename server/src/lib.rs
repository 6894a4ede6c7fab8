//! Native tools beside the tubeswarm player.
//!
//! - [`samples`]: `tubeswarm-samples`, which renders the demo's sample media with
//!   ffmpeg in PeerTube's layout (byte-range fMP4 HLS, segment hashes, captions,
//!   chapters, storyboard) plus a pre-made source for a looped live stream.
//! - [`demo`]: `tubeswarm-demo`, the demo server: static files with Range and
//!   CORS, mirrors for fallback tests, and the looped live stream.
//! - [`live`]: what both share about that live stream: the manifest the generator
//!   writes and the sliding window the server derives from it (a pure function of
//!   elapsed time, so it is tested without sleeping).
//! - [`seeder`]: `tubeswarm-seeder`, a native peer that fetches and verifies a
//!   stream's segments and serves them to its viewers over WebRTC data channels.

pub mod demo;
pub mod live;
pub mod samples;
pub mod seeder;
pub mod serve;
pub mod tracker;
