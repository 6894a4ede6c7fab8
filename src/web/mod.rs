//! The browser layer (wasm32 only): fetch, MediaSource, the `<video>` element,
//! and the JS API. It carries out the engine's decisions and makes none.

mod bytes;
mod hashing;
mod http;
mod loads;
mod mse;
mod options;
mod player;
mod rtc;
mod start_position;
mod tracker_socket;
mod ts_remux;
mod types;
mod web_video;

pub use player::Player;
pub use start_position::start_position;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod rtc_tests;
