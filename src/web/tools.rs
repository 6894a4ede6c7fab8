//! Stand-alone functions of the JS API, for pages and tools that want one piece
//! of the player without a video: parsing a playlist, hashing like the verifier.

use wasm_bindgen::prelude::*;

use crate::hls::{parse_playlist as parse, Summary};

/// Parse an HLS playlist as the player does; returns its summary
/// (`{kind, variants, segments, totalDuration, byteranges, …}`) or throws the
/// parse error, which names the line.
///
/// ```js
/// import init, { parsePlaylist } from "tubeswarm";
/// await init();
/// const { segments, total_duration } = parsePlaylist(text, "https://example.org/720.m3u8");
/// ```
#[wasm_bindgen(js_name = parsePlaylist, unchecked_return_type = "PlaylistSummary")]
pub fn parse_playlist(text: &str, url: &str) -> Result<JsValue, JsValue> {
    let playlist = parse(text, url).map_err(|e| JsValue::from_str(&e.to_string()))?;
    serde_wasm_bindgen::to_value(&Summary::of(&playlist)).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// The SHA-256 of `bytes` as lowercase hex: the check every segment passes
/// before it is played or shared (same code as the verifier).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::integrity::to_hex(&crate::integrity::sha256(bytes))
}
