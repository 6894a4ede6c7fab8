//! Stand-alone functions of the JS API, for pages and tools that want one piece
//! of the player without a video: parsing a playlist, refreshing a live one,
//! hashing like the verifier. Remuxing MPEG-TS is in the module of its own,
//! `tubeswarm/remux` (remux-wasm/).

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
    Ok(super::convert::to_js(&Summary::of(&playlist).to_json()))
}

/// The SHA-256 of `bytes` as lowercase hex: the check every segment passes
/// before it is played or shared (same code as the verifier).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::integrity::to_hex(&crate::integrity::sha256(bytes))
}

/// A live media playlist refreshed as the player refreshes one: each text is
/// parsed and merged with the one before (segment times carried over by media
/// sequence, `crate::hls::merge_live`), the work a player does on every
/// refresh of a live or DVR window.
///
/// ```js
/// import init, { LivePlaylist } from "tubeswarm";
/// await init();
/// const live = new LivePlaylist("https://example.org/live/0.m3u8");
/// live.refresh(firstText);             // segments in the window
/// live.refresh(nextText);
/// const { start } = live.firstSegment(); // where the window starts on the player's timeline
/// ```
#[wasm_bindgen(js_name = LivePlaylist)]
pub struct LivePlaylist {
    url: String,
    current: Option<crate::hls::MediaPlaylist>,
}

#[wasm_bindgen(js_class = LivePlaylist)]
impl LivePlaylist {
    #[wasm_bindgen(constructor)]
    pub fn new(url: &str) -> LivePlaylist {
        LivePlaylist { url: url.to_string(), current: None }
    }

    /// Parse a refresh and merge it with the window before; the number of
    /// segments in the window, or throws the parse error (the window before is
    /// kept).
    pub fn refresh(&mut self, text: &str) -> Result<u32, JsValue> {
        let fresh = match parse(text, &self.url).map_err(|e| js_sys::Error::new(&e.to_string()))? {
            crate::hls::Playlist::Media(m) => m,
            crate::hls::Playlist::Master(_) => return Err(js_sys::Error::new("a master playlist, not a media playlist").into()),
        };
        let merged = crate::hls::merge_live(self.current.as_ref(), fresh);
        let n = merged.segments.len() as u32;
        self.current = Some(merged);
        Ok(n)
    }

    /// The window's first segment: `{sequence, start}` (seconds on the
    /// player's timeline), or `null` before the first refresh.
    #[wasm_bindgen(js_name = firstSegment)]
    pub fn first_segment(&self) -> JsValue {
        let Some(s) = self.current.as_ref().and_then(|p| p.segments.first()) else { return JsValue::NULL };
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"sequence".into(), &(s.sequence as f64).into());
        let _ = js_sys::Reflect::set(&o, &"start".into(), &s.start.into());
        o.into()
    }
}
