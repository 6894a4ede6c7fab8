//! PeerTube mode's decisions for `www/peertube.js`: the page fetches the
//! instance's answers and hands them here (see `crate::peertube`).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::P2pUnavailable;
use crate::peertube::{instance_p2p, playable_video, InstanceP2p, VideoDetails};

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
    // serde reads a struct from an array too (field by field): only an object is a video.
    if !answer.is_object() || js_sys::Array::is_array(&answer) {
        return Err(js_error("the instance's answer is not a PeerTube video (not a JSON object)"));
    }
    let details: VideoDetails = serde_wasm_bindgen::from_value(answer).map_err(|e| js_error(format!("the instance's answer is not a PeerTube video ({e})")))?;
    let video = playable_video(&details, instance).map_err(js_error)?;
    video.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(js_error)
}

/// The instance's peer protocol from its `serverVersion` (`GET /api/v1/config`;
/// `undefined` when that failed): `{infoHashVersion: "2.2"}`, or
/// `{p2pUnavailable: "older-instance-protocol"}` for PeerTube before 7.1.
#[wasm_bindgen(js_name = peertubeP2p)]
pub fn peertube_p2p(server_version: Option<String>) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        #[serde(skip_serializing_if = "Option::is_none")]
        info_hash_version: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        p2p_unavailable: Option<P2pUnavailable>,
    }
    let answer = match instance_p2p(server_version.as_deref()) {
        InstanceP2p::Swarm(version) => Answer { info_hash_version: Some(version.as_str()), p2p_unavailable: None },
        InstanceP2p::OlderProtocol => Answer { info_hash_version: None, p2p_unavailable: Some(P2pUnavailable::OlderInstanceProtocol) },
    };
    answer.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(js_error)
}
