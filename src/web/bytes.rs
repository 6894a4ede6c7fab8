//! Bytes across the wasm boundary with one copy each way, no more.
//!
//! A segment is a few megabytes at 720p, and wasm memory never shrinks: every
//! temporary `Vec` of a segment's size raises the high-water mark of the whole
//! player for the rest of the page's life (the memory row of `bench/swarm.mjs`).
//! So a body from `fetch` or a data channel is copied once, straight into the
//! `Arc<[u8]>` the engine keeps; and an append hands MediaSource a view of that
//! `Arc`, which `appendBuffer` copies into the browser's own buffer.

use std::sync::Arc;

use js_sys::Uint8Array;
use web_sys::SourceBuffer;

/// `array`'s bytes in one allocation of exactly their size (`Uint8Array::to_vec`
/// then `Arc::from` would allocate and copy twice: `Arc` keeps its counts in front
/// of the bytes, so a `Vec` cannot become one in place).
pub fn arc_from_js(array: &Uint8Array) -> Arc<[u8]> {
    let len = array.length() as usize;
    // `RepeatN` knows its length: collecting it allocates the `Arc` once.
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let slice = Arc::get_mut(&mut bytes).expect("a new Arc has no other owner");
    array.copy_to(slice);
    bytes
}

/// `sb.appendBuffer(data)`, from a view of wasm memory rather than a copy.
pub fn append(sb: &SourceBuffer, data: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    // SAFETY: the view is valid until wasm memory grows, i.e. until the next
    // allocation; nothing allocates between making it and `appendBuffer`, which
    // copies the bytes out before it returns (MSE's "prepare append" step).
    let view = unsafe { Uint8Array::view(data) };
    sb.append_buffer_with_js_u8_array(&view)
}
