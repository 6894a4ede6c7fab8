//! `fetch` with byte ranges and abort, for the engine's `Fetch` outputs.

use std::sync::Arc;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

use super::bytes::arc_from_js;
use crate::hls::ByteRange;

/// Why a fetch produced no body.
pub struct FetchError {
    pub status: Option<u16>,
    pub reason: String,
}

fn network_error(e: JsValue) -> FetchError {
    let reason = e.as_string().or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()));
    FetchError { status: None, reason: reason.unwrap_or_else(|| "network error".into()) }
}

/// GET `url`, asking for `range` when given, with `headers` (a video's password
/// or token, for the instance's own URLs). A server that ignores `Range` and
/// answers 200 with the whole file still works: the range is cut out here.
pub async fn fetch_bytes(url: &str, range: Option<ByteRange>, headers: &[(&str, String)], abort: &AbortController) -> Result<Arc<[u8]>, FetchError> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&abort.signal()));
    let request = Request::new_with_str_and_init(url, &init).map_err(network_error)?;
    if let Some(r) = range {
        request.headers().set("Range", &format!("bytes={}-{}", r.offset, r.end_inclusive())).map_err(network_error)?;
    }
    for (name, value) in headers {
        request.headers().set(name, value).map_err(network_error)?;
    }
    let window = web_sys::window().ok_or_else(|| FetchError { status: None, reason: "no window".into() })?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await.map_err(network_error)?.unchecked_into();
    let status = response.status();
    if !response.ok() {
        return Err(FetchError { status: Some(status), reason: format!("HTTP {status}") });
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(network_error)?).await.map_err(network_error)?;
    let body = Uint8Array::new(&buffer);
    let len = u64::from(body.length());
    match (range, status) {
        (Some(r), 200) => {
            if r.end() > len {
                return Err(FetchError { status: Some(200), reason: "the server ignored Range and sent a shorter file".into() });
            }
            // Only the asked-for part is copied into wasm memory.
            Ok(arc_from_js(&body.subarray(r.offset as u32, r.end() as u32)))
        }
        (Some(r), _) if len != r.length => Err(FetchError {
            status: Some(status),
            reason: format!("asked for {} bytes, got {len}", r.length),
        }),
        _ => Ok(arc_from_js(&body)),
    }
}
