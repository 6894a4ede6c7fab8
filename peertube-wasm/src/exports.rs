//! The module's exports: thin shims over `tubeswarm::peertube`, JSON in and out
//! through the browser's own `JSON` (`tubeswarm::js_json`).

use wasm_bindgen::prelude::*;

use tubeswarm::engine::P2pUnavailable;
use tubeswarm::js_json::{from_js, to_js};
use tubeswarm::json::Obj;
use tubeswarm::peertube::{instance_p2p, playable_video, InstanceP2p, VideoDetails};

fn js_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

/// A video's API answer (the parsed JSON of `GET /api/v1/videos/{id}`) → what the
/// player needs: `{src, segmentsSha256Url, mirrors, trackers, webVideos, title,
/// isLive, privacy, pageUrl, embedUrl, poster, historyTime, …}`, URLs absolute
/// against `instance` (its origin). Throws a message for the viewer when the
/// answer is not a video or has nothing to play.
#[wasm_bindgen(js_name = peertubeVideo)]
pub fn peertube_video(answer: JsValue, instance: &str) -> Result<JsValue, JsValue> {
    let not_a_video = |e: String| js_error(format!("the instance's answer is not a PeerTube video ({e})"));
    let details = from_js(&answer).and_then(|v| VideoDetails::from_json(&v)).map_err(not_a_video)?;
    let video = playable_video(&details, instance).map_err(js_error)?;
    Ok(to_js(&video.to_json()))
}

/// The instance's peer protocol from its `serverVersion` (`GET /api/v1/config`;
/// `undefined` when that failed): `{infoHashVersion: "2.2"}`, or
/// `{p2pUnavailable: "older-instance-protocol"}` for PeerTube before 7.1.
#[wasm_bindgen(js_name = peertubeP2p)]
pub fn peertube_p2p(server_version: Option<String>) -> JsValue {
    let answer = match instance_p2p(server_version.as_deref()) {
        InstanceP2p::Swarm(version) => Obj::new().field("infoHashVersion", version.as_str()),
        InstanceP2p::OlderProtocol => Obj::new().field("p2pUnavailable", P2pUnavailable::OlderInstanceProtocol.as_str()),
    };
    to_js(&answer.build())
}

/// When to report views to the instance (see `tubeswarm::peertube::views`): the page
/// calls `play`, `seeked`, `ended` on the element's events and `tick` at
/// `nextTimeout()` (on `performance.now()`'s clock), and POSTs each answer that
/// is not `undefined` (`{currentTime, viewEvent?}`).
#[wasm_bindgen(js_name = ViewReporter)]
pub struct JsViewReporter(tubeswarm::peertube::ViewReporter);

#[wasm_bindgen(js_class = ViewReporter)]
impl JsViewReporter {
    #[wasm_bindgen(constructor)]
    pub fn new(interval_ms: f64, live: bool, start_time: f64) -> JsViewReporter {
        JsViewReporter(tubeswarm::peertube::ViewReporter::new(interval_ms.max(0.0) as u64, live, start_time))
    }
    pub fn play(&mut self, now_ms: f64) -> JsValue {
        report(self.0.play(now_ms as u64))
    }
    pub fn seeked(&mut self, current_time: f64) {
        self.0.seeked(current_time);
    }
    pub fn ended(&mut self, duration: f64) -> JsValue {
        report(self.0.ended(duration))
    }
    pub fn tick(&mut self, now_ms: f64, current_time: f64) -> JsValue {
        report(self.0.tick(now_ms as u64, current_time))
    }
    #[wasm_bindgen(js_name = nextTimeout)]
    pub fn next_timeout(&self) -> Option<f64> {
        self.0.next_timeout().map(|t| t as f64)
    }
}

fn report(r: Option<tubeswarm::peertube::ViewReport>) -> JsValue {
    r.map_or(JsValue::UNDEFINED, |r| to_js(&r.to_json()))
}

/// `{client, device, operatingSystem}` of a user agent, named as PeerTube's
/// player (ua-parser-js) names them; `undefined` for an instance older than 7.2
/// (which does not record them).
#[wasm_bindgen(js_name = peertubeClientInfo)]
pub fn peertube_client_info(user_agent: &str, server_version: Option<String>) -> JsValue {
    if !tubeswarm::peertube::records_client_info(server_version.as_deref()) {
        return JsValue::UNDEFINED;
    }
    to_js(&tubeswarm::peertube::client_info(user_agent).to_json())
}
