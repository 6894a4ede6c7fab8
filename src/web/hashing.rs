//! `Output::Hash`: SHA-256 by the browser's WebCrypto (`crypto.subtle.digest`),
//! which runs on the browser's own threads with the CPU's SHA instructions,
//! leaving the page's main thread free (the engine asks, see
//! `engine/verification.rs`; native tools hash with `sha2` instead).

use std::sync::Arc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The digest of `data`, or `None` where WebCrypto is missing (a page not served
/// over https nor from localhost) or refused.
pub async fn sha256(data: Arc<[u8]>) -> Option<[u8; 32]> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
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

/// Whether this page has WebCrypto (a secure context): without it, the engine
/// hashes in wasm.
pub fn available() -> bool {
    web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| js_sys::Reflect::get(&c, &"subtle".into()).is_ok_and(|s| s.is_object()))
}
