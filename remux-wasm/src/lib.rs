//! The MPEG-TS → fMP4 remuxer of `src/remux/` as a WebAssembly module of its
//! own: `pkg/tubeswarm_remux.js` and `_bg.wasm`, which the player loads (a
//! dynamic `import()`, `src/web/ts_remux.rs`) only when a stream's segments are
//! MPEG-TS, as PeerTube's lives are. The main module does not carry it: VOD,
//! nearly every page view, is fragmented MP4 and never pays for it
//! (BENCHMARKS.md, the bundle section). Natively the engine calls the same
//! code in-process (`tubeswarm::remux`).
//!
//! The same source files, compiled here as a module of this crate (the path
//! below), not a copy: no wasm-bindgen export of the player's crate comes along,
//! as it would through a dependency on that crate.
//!
//! ```js
//! import init, { TsRemuxer, probe } from "tubeswarm/remux";
//! await init();
//! const { codecs } = probe(tsBytes);
//! const remuxer = new TsRemuxer();
//! const { init: initSegment, initChanged, media, start, end, warnings } = remuxer.remux(tsBytes, 0, 0, false);
//! ```
//! A segment that cannot be remuxed throws an `Error` whose `name` is the
//! [`remux::RemuxError`] variant (`NotTransportStream`, `UnsupportedCodec`,
//! `NoMedia`), whose `message` is its text and whose `detail` is the variant's
//! own string (the codec named, what is missing).

#[allow(dead_code)] // the player's crate uses what this module does not export
#[path = "../../src/remux/mod.rs"]
mod remux;

#[cfg(target_arch = "wasm32")]
mod exports {
    use super::remux::{self, RemuxError, SegmentInfo};
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;

    fn set(object: &Object, key: &str, value: JsValue) {
        let _ = Reflect::set(object, &JsValue::from_str(key), &value);
    }

    fn error(e: RemuxError) -> JsValue {
        let js = js_sys::Error::new(&e.to_string());
        let (name, detail) = match &e {
            RemuxError::NotTransportStream => ("NotTransportStream", None),
            RemuxError::UnsupportedCodec(codec) => ("UnsupportedCodec", Some(codec)),
            RemuxError::NoMedia(why) => ("NoMedia", Some(why)),
        };
        js.set_name(name);
        if let Some(detail) = detail {
            set(&js, "detail", JsValue::from_str(detail));
        }
        js.into()
    }

    /// MPEG-TS → fragmented MP4 for one SourceBuffer, segments in order (see
    /// `src/remux/mod.rs`).
    #[wasm_bindgen]
    pub struct TsRemuxer(remux::Remuxer);

    #[wasm_bindgen]
    impl TsRemuxer {
        #[wasm_bindgen(constructor)]
        #[allow(clippy::new_without_default)]
        pub fn new() -> TsRemuxer {
            TsRemuxer(remux::Remuxer::new())
        }

        /// Remux one segment starting at `start` (seconds, playlist time):
        /// `{init, initChanged, media, codecs, hasVideo, hasAudio, start, end, warnings}`,
        /// or throws (see the crate's doc).
        pub fn remux(&mut self, ts: &[u8], start: f64, discontinuity_sequence: f64, contiguous: bool) -> Result<JsValue, JsValue> {
            let info = SegmentInfo { start, discontinuity_sequence: discontinuity_sequence.max(0.0) as u64, contiguous };
            let out = self.0.remux(ts, info).map_err(error)?;
            let result = Object::new();
            set(&result, "init", Uint8Array::from(&out.init[..]).into());
            set(&result, "initChanged", out.init_changed.into());
            set(&result, "media", Uint8Array::from(&out.media[..]).into());
            set(&result, "codecs", out.codecs.into());
            set(&result, "hasVideo", out.has_video.into());
            set(&result, "hasAudio", out.has_audio.into());
            set(&result, "start", out.start.into());
            set(&result, "end", out.end.into());
            set(&result, "warnings", out.warnings.into_iter().map(JsValue::from).collect::<Array>().into());
            Ok(result.into())
        }
    }

    /// The codecs and tracks of a TS segment without keeping state:
    /// `{codecs, hasVideo, hasAudio, width, height}`, or throws.
    #[wasm_bindgen]
    pub fn probe(ts: &[u8]) -> Result<JsValue, JsValue> {
        let p = remux::probe(ts).map_err(error)?;
        let result = Object::new();
        set(&result, "codecs", p.codecs.into());
        set(&result, "hasVideo", p.has_video.into());
        set(&result, "hasAudio", p.has_audio.into());
        set(&result, "width", p.width.into());
        set(&result, "height", p.height.into());
        Ok(result.into())
    }
}
