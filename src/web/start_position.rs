//! Where the element starts a video, for `www/tubeswarm.js` (every video, so in
//! the player's module; PeerTube mode's other decisions are in its own module,
//! peertube-wasm/).

use wasm_bindgen::prelude::*;

/// Where a VOD starts: the URL's `start`, else the position this browser kept,
/// else the account's history; from the beginning within 1 s of the end;
/// `undefined` for a live.
#[wasm_bindgen(js_name = startPosition)]
pub fn start_position(live: bool, url_start: Option<f64>, local: Option<f64>, history: Option<f64>, duration: Option<f64>) -> Option<f64> {
    crate::peertube::start_position(live, url_start, local, history, duration)
}
