//! `Output::Hash`: SHA-256 by the browser's WebCrypto (`crypto.subtle.digest`),
//! which runs on the browser's own threads with the CPU's SHA instructions,
//! leaving the page's main thread free (the engine asks, see
//! `engine/verification.rs`; native tools hash with `sha2` instead). A page
//! without WebCrypto (not a secure context: plain http but for localhost) gets
//! the verifier's own SHA-256 from the tools module (`tools-wasm/`), imported
//! the first time: the player's module carries no SHA-256 of its own.

use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// As the remuxer's import (ts_remux.rs): the snippet is two folders below
// tubeswarm_tools.js, and a literal specifier lets bundlers emit its chunk.
#[wasm_bindgen(inline_js = "let tools;
export function toolsSha256Hex(bytes) {
  tools ??= import('../../tubeswarm_tools.js').then(async (m) => { await m.default(); return m; });
  return tools.then((m) => m.sha256Hex(bytes));
}")]
extern "C" {
    #[wasm_bindgen(js_name = toolsSha256Hex)]
    fn tools_sha256_hex(bytes: js_sys::Uint8Array) -> js_sys::Promise;
}

/// The digest of `data`, or `None` where it could not be computed (WebCrypto
/// refused, or the tools module could not load).
pub async fn sha256(data: Arc<[u8]>) -> Option<[u8; 32]> {
    let Some(subtle) = web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).filter(|s| s.is_object()) else {
        // A copy: the import resolves later, when this module's memory may have moved.
        let hex = JsFuture::from(tools_sha256_hex(js_sys::Uint8Array::from(&data[..]))).await.ok()?;
        return crate::integrity::parse_sha256_hex(&hex.as_string()?);
    };
    // SAFETY: as in `bytes::append`: `digest` copies its input before it returns
    // the promise (WebCrypto's "get a copy of the bytes held by data"), and
    // nothing allocates between the view and the call; no JS copy of each segment.
    let bytes = unsafe { js_sys::Uint8Array::view(&data) };
    let promise = subtle.digest_with_str_and_js_u8_array("SHA-256", &bytes).ok()?;
    let buffer: js_sys::ArrayBuffer = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let out = js_sys::Uint8Array::new(&buffer);
    let mut digest = [0u8; 32];
    (out.length() == 32).then(|| out.copy_to(&mut digest)).map(|()| digest)
}
