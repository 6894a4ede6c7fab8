//! Loader mode's promises: each `player.load()` waits here for the engine's
//! `Deliver`, `LoadUnknown` or `LoadFailed`.

use crate::table::Table;
use std::sync::Arc;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::JsValue;

use crate::engine::LoadId;

#[derive(Default)]
pub struct PendingLoads {
    waiting: Table<LoadId, (Function, Function)>,
}

impl PendingLoads {
    /// A promise for load `id`, settled by one of the methods below.
    pub fn promise(&mut self, id: LoadId) -> Promise {
        let mut slot = None;
        let promise = Promise::new(&mut |resolve, reject| slot = Some((resolve, reject)));
        if let Some(pair) = slot {
            self.waiting.insert(id, pair);
        }
        promise
    }

    /// Resolves with the bytes (a copy into JS memory: the engine keeps its own).
    pub fn deliver(&mut self, id: LoadId, data: &Arc<[u8]>) {
        if let Some((resolve, _)) = self.waiting.remove(&id) {
            let _ = resolve.call1(&JsValue::NULL, &Uint8Array::from(&data[..]));
        }
    }

    /// Resolves with `null`: the other player should fetch it itself.
    pub fn give_back(&mut self, id: LoadId) {
        if let Some((resolve, _)) = self.waiting.remove(&id) {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    }

    pub fn fail(&mut self, id: LoadId, reason: &str) {
        if let Some((_, reject)) = self.waiting.remove(&id) {
            let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new(&format!("tubeswarm: {reason}")));
        }
    }

    /// A cancelled load settles as given back, so no caller waits forever.
    pub fn cancel(&mut self, id: LoadId) {
        self.give_back(id);
    }

    pub fn give_back_all(&mut self) {
        let ids: Vec<LoadId> = self.waiting.keys().copied().collect();
        for id in ids {
            self.give_back(id);
        }
    }
}
