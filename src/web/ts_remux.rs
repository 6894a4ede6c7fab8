//! `Output::LoadTsRemuxer`: the MPEG-TS remuxer is a WebAssembly module of its
//! own (`remux-wasm/`, `pkg/tubeswarm_remux.js`), imported the first time a
//! stream has TS segments, so that pages playing fragmented MP4 (VOD, nearly
//! all) never download it. Its calls are synchronous once it is loaded: a
//! segment goes in as a view of this module's memory (the other module's glue
//! copies it into its own before it returns) and comes back as its bytes.

use std::sync::Arc;

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::tracker_socket::js_error;
use crate::engine::ts_remux::{TsRemux, TsRemuxers};
use crate::remux::{Probe, RemuxError, Remuxed, SegmentInfo};

// The snippet sits at pkg/snippets/<crate>-<hash>/inline0.js: the module is two
// folders up, beside tubeswarm.js. A literal specifier, so that bundlers see it
// and emit the module as a chunk of its own.
#[wasm_bindgen(inline_js = "export function importTsRemuxer() {
  return import('../../tubeswarm_remux.js').then(async (m) => { await m.default(); return m; });
}")]
extern "C" {
    #[wasm_bindgen(js_name = importTsRemuxer)]
    fn import_ts_remuxer() -> js_sys::Promise;
}

/// Imports and instantiates the module; the message when that fails.
pub async fn load() -> Result<Box<dyn TsRemuxers>, String> {
    let module = JsFuture::from(import_ts_remuxer()).await.map_err(|e| js_error(&e))?;
    let get = |name: &str| Reflect::get(&module, &name.into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    match (get("probe"), get("TsRemuxer")) {
        (Some(probe), Some(class)) => Ok(Box::new(Module { probe, class })),
        _ => Err("tubeswarm_remux.js has no probe and TsRemuxer".to_string()),
    }
}

struct Module {
    probe: Function,
    class: Function,
}

impl TsRemuxers for Module {
    fn probe(&self, ts: &[u8]) -> Result<Probe, RemuxError> {
        let out = self.probe.call1(&JsValue::UNDEFINED, &view(ts)).map_err(remux_error)?;
        Ok(Probe {
            codecs: string(&out, "codecs"),
            has_video: flag(&out, "hasVideo"),
            has_audio: flag(&out, "hasAudio"),
            width: number(&out, "width") as u32,
            height: number(&out, "height") as u32,
        })
    }

    fn remuxer(&self) -> Box<dyn TsRemux> {
        let remuxer = Reflect::construct(&self.class, &js_sys::Array::new()).ok();
        Box::new(JsRemuxer { remuxer, init: None })
    }
}

/// One remuxer of the other module, and the init it made last (the engine
/// appends an init again only when it is a new one).
#[derive(Debug)]
struct JsRemuxer {
    remuxer: Option<JsValue>,
    init: Option<Arc<[u8]>>,
}

impl TsRemux for JsRemuxer {
    fn remux(&mut self, ts: &[u8], info: SegmentInfo) -> Result<Remuxed, RemuxError> {
        let failed = || RemuxError::NoMedia("the MPEG-TS remuxer module could not make a remuxer".to_string());
        let remuxer = self.remuxer.as_ref().ok_or_else(failed)?;
        let remux = Reflect::get(remuxer, &"remux".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()).ok_or_else(failed)?;
        let args = js_sys::Array::of4(&view(ts), &info.start.into(), &(info.discontinuity_sequence as f64).into(), &info.contiguous.into());
        let out = remux.apply(remuxer, &args).map_err(remux_error)?;
        let init_changed = flag(&out, "initChanged");
        let init = match &self.init {
            Some(init) if !init_changed => init.clone(),
            _ => Arc::from(bytes(&out, "init")),
        };
        self.init = Some(init.clone());
        let warnings = Reflect::get(&out, &"warnings".into()).ok().map(|w| js_sys::Array::from(&w));
        Ok(Remuxed {
            init,
            init_changed,
            media: bytes(&out, "media"),
            codecs: string(&out, "codecs"),
            has_video: flag(&out, "hasVideo"),
            has_audio: flag(&out, "hasAudio"),
            start: number(&out, "start"),
            end: number(&out, "end"),
            warnings: warnings.map(|w| w.iter().filter_map(|s| s.as_string()).collect()).unwrap_or_default(),
        })
    }
}

impl Drop for JsRemuxer {
    /// The other module's memory for this remuxer (wasm-bindgen's `free`).
    fn drop(&mut self) {
        if let Some(remuxer) = &self.remuxer {
            if let Some(free) = Reflect::get(remuxer, &"free".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) {
                let _ = free.call0(remuxer);
            }
        }
    }
}

fn view(ts: &[u8]) -> Uint8Array {
    // SAFETY: the view is only passed straight to the other module's function,
    // whose glue copies it into that module's memory first; nothing of this
    // module allocates (or grows its memory) while the view exists.
    unsafe { Uint8Array::view(ts) }
}

fn field(out: &JsValue, key: &str) -> JsValue {
    Reflect::get(out, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn string(out: &JsValue, key: &str) -> String {
    field(out, key).as_string().unwrap_or_default()
}

fn flag(out: &JsValue, key: &str) -> bool {
    field(out, key).as_bool().unwrap_or(false)
}

fn number(out: &JsValue, key: &str) -> f64 {
    field(out, key).as_f64().unwrap_or(0.0)
}

fn bytes(out: &JsValue, key: &str) -> Vec<u8> {
    field(out, key).dyn_into::<Uint8Array>().map(|a| a.to_vec()).unwrap_or_default()
}

/// The other module's error, told by its `name` and `detail` (remux-wasm/src/lib.rs); anything
/// else it throws (a trap) makes the segment one with nothing playable.
fn remux_error(e: JsValue) -> RemuxError {
    match (string(&e, "name").as_str(), field(&e, "detail").as_string()) {
        ("NotTransportStream", _) => RemuxError::NotTransportStream,
        ("UnsupportedCodec", Some(codec)) => RemuxError::UnsupportedCodec(codec),
        ("NoMedia", Some(why)) => RemuxError::NoMedia(why),
        _ => RemuxError::NoMedia(format!("the MPEG-TS remuxer module failed: {}", js_error(&e))),
    }
}
