//! The MediaSource and its SourceBuffers, with one operation queue per buffer.
//!
//! A SourceBuffer takes one `appendBuffer` or `remove` at a time and says it is
//! done with `updateend`; this queue serialises them and reports each result to
//! the engine as an `Input`. It makes no decisions: what to append and evict, and
//! what to do on QuotaExceededError, is the engine's.

use std::collections::VecDeque;
use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlMediaElement, MediaSource, MediaSourceReadyState, SourceBuffer, SourceBufferAppendMode, Url};

use super::tracker_socket::js_error;
use crate::engine::{Input, TimeRange, Track};

enum Op {
    Append { data: Arc<[u8]>, timestamp_offset: Option<f64> },
    Remove { start: f64, end: f64 },
}

struct Buffer {
    track: Track,
    sb: SourceBuffer,
    queue: VecDeque<Op>,
    /// The operation the buffer is working on.
    current: Option<Op>,
    _on_update_end: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut()>,
}


/// A SourceBuffer's `updateend` and `error` handlers.
pub type BufferCallbacks = (Box<dyn FnMut()>, Box<dyn FnMut()>);

pub struct Mse {
    source: MediaSource,
    object_url: String,
    buffers: Vec<Buffer>,
    end_of_stream_pending: bool,
    _on_open: Option<Closure<dyn FnMut()>>,
}

impl Mse {
    /// Create a MediaSource, attach it to `video`, and once it opens add one
    /// SourceBuffer per `(track, mime)`, then call `on_ready(Ok)` (or `Err`).
    pub fn attach(
        video: &HtmlMediaElement,
        on_open: impl FnOnce() + 'static,
    ) -> Result<Mse, JsValue> {
        let source = MediaSource::new()?;
        let object_url = Url::create_object_url_with_source(&source)?;
        let mut on_open = Some(on_open);
        let open = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = on_open.take() {
                f();
            }
        });
        source.set_onsourceopen(Some(open.as_ref().unchecked_ref()));
        video.set_src(&object_url);
        Ok(Mse { source, object_url, buffers: Vec::new(), end_of_stream_pending: false, _on_open: Some(open) })
    }

    /// Add the SourceBuffers (after `sourceopen`); `callbacks` gives each one its
    /// `updateend` and `error` handlers.
    pub fn add_buffers(
        &mut self,
        tracks: &[(Track, String)],
        duration: Option<f64>,
        sequence_mode: bool,
        callbacks: impl Fn(Track) -> BufferCallbacks,
    ) -> Result<(), String> {
        for (track, mime) in tracks {
            if !MediaSource::is_type_supported(mime) {
                return Err(format!("this browser cannot play {mime}"));
            }
            let sb = self.source.add_source_buffer(mime).map_err(|e| format!("addSourceBuffer({mime}) failed: {}", js_error(&e)))?;
            if sequence_mode {
                sb.set_mode(SourceBufferAppendMode::Sequence);
            }
            let (update_end, error) = callbacks(*track);
            let on_update_end = Closure::<dyn FnMut()>::new(update_end);
            let on_error = Closure::<dyn FnMut()>::new(error);
            sb.set_onupdateend(Some(on_update_end.as_ref().unchecked_ref()));
            sb.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            self.buffers.push(Buffer {
                track: *track,
                sb,
                queue: VecDeque::new(),
                current: None,
                _on_update_end: on_update_end,
                _on_error: on_error,
            });
        }
        self.source.set_duration(duration.unwrap_or(f64::INFINITY));
        Ok(())
    }

    pub fn append(&mut self, track: Track, data: Arc<[u8]>, timestamp_offset: Option<f64>) -> Option<Input> {
        self.enqueue(track, Op::Append { data, timestamp_offset })
    }

    pub fn remove(&mut self, track: Track, start: f64, end: f64) -> Option<Input> {
        self.enqueue(track, Op::Remove { start, end })
    }

    fn enqueue(&mut self, track: Track, op: Op) -> Option<Input> {
        let i = self.buffers.iter().position(|b| b.track == track)?;
        self.buffers[i].queue.push_back(op);
        self.start_next(i)
    }

    /// `updateend` on a track: report the finished operation, start the next.
    pub fn update_end(&mut self, track: Track) -> Vec<Input> {
        let mut inputs = Vec::new();
        let Some(i) = self.buffers.iter().position(|b| b.track == track) else { return inputs };
        let buffered = ranges(&self.buffers[i].sb);
        match self.buffers[i].current.take() {
            Some(Op::Append { .. }) => inputs.push(Input::AppendDone { track, buffered }),
            Some(Op::Remove { .. }) => inputs.push(Input::RemoveDone { track, buffered }),
            None => {}
        }
        inputs.extend(self.start_next(i));
        self.try_end_of_stream();
        inputs
    }

    /// `error` on a track's SourceBuffer: the media could not be decoded.
    pub fn error(&mut self, track: Track) -> Option<Input> {
        let b = self.buffers.iter_mut().find(|b| b.track == track)?;
        b.queue.clear();
        b.current.take();
        Some(Input::AppendFailed { track, quota: false, reason: "the browser could not decode the segment".into() })
    }

    fn start_next(&mut self, i: usize) -> Option<Input> {
        let b = &mut self.buffers[i];
        if b.current.is_some() || b.sb.updating() {
            return None;
        }
        let op = b.queue.pop_front()?;
        let result = match &op {
            Op::Append { data, timestamp_offset } => {
                if let Some(offset) = timestamp_offset {
                    b.sb.set_timestamp_offset(*offset);
                }
                super::bytes::append(&b.sb, data)
            }
            Op::Remove { start, end } => b.sb.remove(*start, *end),
        };
        match result {
            Ok(()) => {
                b.current = Some(op);
                None
            }
            Err(e) => {
                let quota = e.dyn_ref::<web_sys::DomException>().is_some_and(|d| d.name() == "QuotaExceededError");
                let track = b.track;
                // The engine re-sends what it still wants after a failure.
                b.queue.clear();
                match op {
                    Op::Append { .. } => Some(Input::AppendFailed { track, quota, reason: js_error(&e) }),
                    // A refused remove (e.g. an empty range) leaves nothing to undo.
                    Op::Remove { .. } => Some(Input::RemoveDone { track, buffered: ranges(&b.sb) }),
                }
            }
        }
    }

    pub fn set_live_seekable_range(&self, start: f64, end: f64) {
        if self.source.ready_state() == MediaSourceReadyState::Open {
            let _ = self.source.set_live_seekable_range(start, end);
        }
    }

    /// `endOfStream()` once every queue is idle.
    pub fn end_of_stream(&mut self) {
        self.end_of_stream_pending = true;
        self.try_end_of_stream();
    }

    fn try_end_of_stream(&mut self) {
        let idle = self.buffers.iter().all(|b| b.current.is_none() && b.queue.is_empty() && !b.sb.updating());
        if self.end_of_stream_pending && idle && self.source.ready_state() == MediaSourceReadyState::Open {
            self.end_of_stream_pending = false;
            let _ = self.source.end_of_stream();
        }
    }

    /// Each track's buffered ranges.
    pub fn buffered(&self) -> Vec<(Track, Vec<TimeRange>)> {
        self.buffers.iter().map(|b| (b.track, ranges(&b.sb))).collect()
    }

    pub fn detach(&mut self) {
        for b in &self.buffers {
            b.sb.set_onupdateend(None);
            b.sb.set_onerror(None);
        }
        self.source.set_onsourceopen(None);
        let _ = Url::revoke_object_url(&self.object_url);
    }
}

/// A SourceBuffer's buffered ranges (empty once it has left its MediaSource).
fn ranges(sb: &SourceBuffer) -> Vec<TimeRange> {
    let mut ranges = Vec::new();
    if let Ok(tr) = sb.buffered() {
        for i in 0..tr.length() {
            if let (Ok(start), Ok(end)) = (tr.start(i), tr.end(i)) {
                ranges.push(TimeRange { start, end });
            }
        }
    }
    ranges
}
