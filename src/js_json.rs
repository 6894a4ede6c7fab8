//! JSON values across the wasm boundary: through the browser's own `JSON`
//! (see `crate::json` for why not serde-wasm-bindgen).

use wasm_bindgen::JsValue;

use crate::json::Value;

/// A JS value of this JSON (`JSON.parse`).
pub fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_json()).unwrap_or(JsValue::NULL)
}

/// The JSON of a JS value (`JSON.stringify`, so `undefined` members vanish and
/// functions or cycles are refused), read back as a [`Value`].
pub fn from_js(value: &JsValue) -> Result<Value, String> {
    let text = js_sys::JSON::stringify(value).map_err(|_| "cannot be written as JSON (a cycle?)".to_string())?;
    let text: String = text.into();
    crate::json::parse(&text).map_err(|e| e.to_string())
}
