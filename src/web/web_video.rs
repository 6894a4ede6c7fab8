//! `Output::PlayFile`: a web video (plain MP4) the element plays by itself,
//! from a position, keeping the viewer's play state and speed, as PeerTube's
//! player switches web-video resolutions.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AddEventListenerOptions, HtmlVideoElement};

/// Give `video` the file `url`; seek to `time` once its metadata is known.
pub fn play_file(video: &HtmlVideoElement, url: &str, time: Option<f64>) {
    let was_paused = video.paused();
    let rate = video.playback_rate();
    // A new src resets the rate to the default one: make that the viewer's.
    video.set_default_playback_rate(rate);
    video.set_src(url);
    let v = video.clone();
    let restore = Closure::once_into_js(move || {
        if let Some(t) = time {
            v.set_current_time(t);
        }
        v.set_playback_rate(rate);
        if !was_paused {
            if let Ok(p) = v.play() {
                // A refused play (autoplay policy) is the page's to handle.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    });
    let options = AddEventListenerOptions::new();
    options.set_once(true);
    let _ = video.add_event_listener_with_callback_and_add_event_listener_options("loadedmetadata", restore.unchecked_ref(), &options);
}
