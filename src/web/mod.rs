//! The browser layer (wasm32 only): fetch, MediaSource, the `<video>` element,
//! and the JS API. It carries out the engine's decisions and makes none.

mod bytes;
mod convert;
mod hashing;
mod http;
mod loads;
mod mse;
mod options;
mod peertube;
mod player;
mod rtc;
mod tools;
mod tracker_socket;
mod ts_remux;
mod types;
mod web_video;

pub use player::Player;
pub use peertube::{peertube_client_info, peertube_p2p, peertube_video, start_position, JsViewReporter};
pub use tools::{parse_playlist, sha256_hex};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod rtc_tests;
