//! Playlists and hashing as the player does them, for pages and tools that want
//! one piece of the player without a video. Remuxing MPEG-TS is in the module
//! of its own, `tubeswarm/remux` (remux-wasm/).

use wasm_bindgen::prelude::*;

use tubeswarm::hls::{parse_playlist as parse, LiveWindow, Summary};
use tubeswarm::js_json::to_js;

/// The summary `parsePlaylist` returns (the module's `.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The summary `parsePlaylist` returns. */
export interface PlaylistSummary {
  kind: "master" | "media";
  variants: number;
  media_renditions: number;
  segments: number;
  total_duration: number;
  target_duration: number | null;
  media_sequence: number | null;
  endlist: boolean;
  byteranges: number;
  has_map: boolean;
  iframe_variants: number;
  parts: number;
}
"#;

/// Parse an HLS playlist as the player does; returns its summary
/// (`{kind, variants, segments, total_duration, byteranges, …}`) or throws the
/// parse error, which names the line.
///
/// ```js
/// import init, { parsePlaylist } from "tubeswarm/tools";
/// await init();
/// const { segments, total_duration } = parsePlaylist(text, "https://example.org/720.m3u8");
/// ```
#[wasm_bindgen(js_name = parsePlaylist, unchecked_return_type = "PlaylistSummary")]
pub fn parse_playlist(text: &str, url: &str) -> Result<JsValue, JsValue> {
    let playlist = parse(text, url).map_err(|e| JsValue::from_str(&e.to_string()))?;
    Ok(to_js(&Summary::of(&playlist).to_json()))
}

/// The SHA-256 of `bytes` as lowercase hex: the check every segment passes
/// before it is played or shared (the verifier's code natively; the player's
/// module asks the browser's WebCrypto).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    tubeswarm::integrity::to_hex(&tubeswarm::integrity::sha256(bytes))
}

/// A live media playlist refreshed as the player refreshes one
/// ([`LiveWindow`]: each text parsed and merged with the window before, segment
/// times carried over by media sequence), the work a player does on every
/// refresh of a live or DVR window.
///
/// ```js
/// import init, { LivePlaylist } from "tubeswarm/tools";
/// await init();
/// const live = new LivePlaylist("https://example.org/live/0.m3u8");
/// live.refresh(firstText);             // segments in the window
/// live.refresh(nextText);
/// const { start } = live.firstSegment(); // where the window starts on the player's timeline
/// ```
#[wasm_bindgen(js_name = LivePlaylist)]
pub struct LivePlaylist(LiveWindow);

#[wasm_bindgen(js_class = LivePlaylist)]
impl LivePlaylist {
    #[wasm_bindgen(constructor)]
    pub fn new(url: &str) -> LivePlaylist {
        LivePlaylist(LiveWindow::new(url))
    }

    /// Parse a refresh and merge it with the window before; the number of
    /// segments in the window, or throws the parse error (the window before is
    /// kept).
    pub fn refresh(&mut self, text: &str) -> Result<u32, JsValue> {
        self.0.refresh(text).map(|n| n as u32).map_err(|e| js_sys::Error::new(&e).into())
    }

    /// The window's first segment: `{sequence, start}` (seconds on the
    /// player's timeline), or `null` before the first refresh.
    #[wasm_bindgen(js_name = firstSegment)]
    pub fn first_segment(&self) -> JsValue {
        let Some(s) = self.0.first() else { return JsValue::NULL };
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"sequence".into(), &(s.sequence as f64).into());
        let _ = js_sys::Reflect::set(&o, &"start".into(), &s.start.into());
        o.into()
    }
}
