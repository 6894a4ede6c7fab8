//! The JS API: `Player`, and the driver that carries out the engine's decisions
//! in the browser and feeds the results back in.

use std::cell::RefCell;
use crate::table::Table;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, CustomEvent, CustomEventInit, EventTarget, HtmlVideoElement};

use super::http::fetch_bytes;
use super::loads::PendingLoads;
use super::mse::{BufferCallbacks, Mse};
use super::options::PlayerOptions;
use super::rtc::Rtc;
use super::tracker_socket::{js_error, Report, TrackerSockets};
use crate::engine::{webvtt_urls, Engine, Event, Input, LoadId, Output, Playhead, RequestId};
use crate::peertube::Credentials;

/// Milliseconds on the page's monotonic clock: the engine's `now`.
fn now_ms() -> u64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) as u64
}

/// How often the playhead is reported even when the element fires no event.
const PLAYHEAD_INTERVAL_MS: i32 = 250;

struct Driver {
    engine: Engine,
    video: HtmlVideoElement,
    events: EventTarget,
    mse: Option<Mse>,
    requests: Table<RequestId, AbortController>,
    timer: Option<i32>,
    timer_closure: Option<Closure<dyn FnMut()>>,
    interval: Option<i32>,
    element_listeners: Vec<(&'static str, Callback)>,
    interval_closure: Option<Closure<dyn FnMut()>>,
    /// The trackers' WebSockets (P2P signalling).
    trackers: TrackerSockets,
    /// The peer connections.
    rtc: Rtc,
    /// Loader mode: the other player's loads waiting for the engine.
    loads: PendingLoads,
    /// A video's password or tokens, for the instance's own requests.
    credentials: Credentials,
    /// A web video file is the element's source (ours to take off at the end).
    playing_file: bool,
    destroyed: bool,
}

type Shared = Rc<RefCell<Driver>>;
/// A JS callback kept alive as long as the listener it was registered as.
type Callback = Closure<dyn FnMut()>;


/// Feed one input, carry out every resulting output, then dispatch the page
/// events (after the borrow ends: a listener may call back into the player).
fn handle(rc: &Shared, input: Input) {
    drive(rc, move |engine, now| engine.handle(now, input));
}

/// One input to the engine (`step`, given the time), then its outputs carried out.
fn drive(rc: &Shared, step: impl FnOnce(&mut Engine, u64) + 'static) {
    let events = {
        let Ok(mut d) = rc.try_borrow_mut() else {
            // Called back while the driver is busy (a synchronous browser event):
            // take the input on the next microtask instead of losing it.
            let rc = rc.clone();
            wasm_bindgen_futures::spawn_local(async move { drive(&rc, step) });
            return;
        };
        if d.destroyed {
            return;
        }
        step(&mut d.engine, now_ms());
        d.run_outputs(rc)
    };
    dispatch(rc, events);
}

fn dispatch(rc: &Shared, events: Vec<(String, JsValue)>) {
    let target = rc.borrow().events.clone();
    for (kind, detail) in events {
        let init = CustomEventInit::new();
        init.set_detail(&detail);
        if let Ok(e) = CustomEvent::new_with_event_init_dict(&kind, &init) {
            let _ = target.dispatch_event(&e);
        }
    }
}

use crate::js_json::{from_js, to_js};

impl Driver {
    /// Carry out the engine's outputs; returns the page events to dispatch.
    fn run_outputs(&mut self, rc: &Shared) -> Vec<(String, JsValue)> {
        let mut events = Vec::new();
        let mut feedback = Vec::new();
        while let Some(out) = self.engine.poll() {
            match out {
                Output::Fetch { id, url, range } => self.start_fetch(rc, id, url, range),
                Output::Cancel { id } => {
                    if let Some(abort) = self.requests.remove(&id) {
                        abort.abort();
                    }
                }
                Output::SetupMedia { tracks, duration, sequence_mode } => self.setup_media(rc, tracks, duration, sequence_mode),
                Output::Append { track, data, timestamp_offset } => {
                    feedback.extend(self.mse.as_mut().and_then(|m| m.append(track, data, timestamp_offset)));
                }
                Output::Remove { track, start, end } => {
                    feedback.extend(self.mse.as_mut().and_then(|m| m.remove(track, start, end)));
                }
                Output::LiveSeekableRange { start, end } => {
                    if let Some(m) = self.mse.as_ref() {
                        m.set_live_seekable_range(start, end);
                    }
                }
                Output::EndOfStream => {
                    if let Some(m) = self.mse.as_mut() {
                        m.end_of_stream();
                    }
                }
                Output::Seek { time } => self.video.set_current_time(time),
                Output::Hash { id, data } => {
                    let weak = Rc::downgrade(rc);
                    wasm_bindgen_futures::spawn_local(async move {
                        // A failed digest is an all-zero one: a mismatch, never a pass.
                        let digest = super::hashing::sha256(data).await.unwrap_or([0; 32]);
                        if let Some(rc) = weak.upgrade() {
                            handle(&rc, Input::Hashed { id, digest });
                        }
                    });
                }
                Output::LoadTsRemuxer => {
                    let weak = Rc::downgrade(rc);
                    wasm_bindgen_futures::spawn_local(async move {
                        let loaded = super::ts_remux::load().await;
                        if let Some(rc) = weak.upgrade() {
                            drive(&rc, move |engine, now| engine.ts_remuxers_loaded(now, loaded));
                        }
                    });
                }
                Output::PlayFile { url, time } => {
                    if let Some(mut old) = self.mse.take() {
                        old.detach();
                    }
                    self.playing_file = true;
                    super::web_video::play_file(&self.video, &self.credentials.file_url(&url), time);
                }
                // P2P: the adapters report later inputs through `reporter`; what
                // fails at once comes back here, like a refused append.
                Output::TrackerConnect { tracker, url } => feedback.extend(self.trackers.connect(tracker, &url)),
                Output::TrackerSend { tracker, text } => feedback.extend(self.trackers.send(tracker, text)),
                Output::TrackerDisconnect { tracker } => self.trackers.disconnect(tracker),
                Output::CreateOffer { conn } => feedback.extend(self.rtc.create_offer(conn)),
                Output::CreateAnswer { conn, offer_sdp } => feedback.extend(self.rtc.create_answer(conn, &offer_sdp)),
                Output::AcceptAnswer { conn, answer_sdp } => self.rtc.accept_answer(conn, &answer_sdp),
                Output::PeerSend { conn, data } => feedback.extend(self.rtc.send(conn, &data)),
                Output::ClosePeer { conn } => self.rtc.close(conn),
                Output::Deliver { id, data } => self.loads.deliver(id, &data),
                Output::LoadUnknown { id } => self.loads.give_back(id),
                Output::LoadFailed { id, reason } => self.loads.fail(id, &reason),
                Output::Event(e) => events.push(page_event(&e)),
            }
            // Synchronous failures (e.g. QuotaExceededError from appendBuffer) go
            // straight back to the engine, in order.
            for input in feedback.drain(..) {
                self.engine.handle(now_ms(), input);
            }
        }
        self.arm_timer(rc);
        events
    }

    fn start_fetch(&mut self, rc: &Shared, id: RequestId, url: String, range: Option<crate::hls::ByteRange>) {
        let Ok(abort) = AbortController::new() else { return };
        self.requests.insert(id, abort.clone());
        let weak = Rc::downgrade(rc);
        let headers = self.credentials.headers(&url);
        wasm_bindgen_futures::spawn_local(async move {
            let result = fetch_bytes(&url, range, &headers, &abort).await;
            let Some(rc) = weak.upgrade() else { return };
            // A cancelled request reports nothing: the engine has moved on.
            if rc.borrow_mut().requests.remove(&id).is_none() {
                return;
            }
            let input = match result {
                Ok(body) => Input::HttpDone { id, body },
                Err(e) => Input::HttpFailed { id, status: e.status, reason: e.reason },
            };
            handle(&rc, input);
        });
    }

    fn setup_media(&mut self, rc: &Shared, tracks: Vec<(crate::engine::Track, String)>, duration: Option<f64>, sequence_mode: bool) {
        if let Some(mut old) = self.mse.take() {
            old.detach();
        }
        // Giving the element a new source pauses it and rejects a pending play():
        // keep the page's wish to play across the (re)attachment.
        let resume = !self.video.paused();
        let weak = Rc::downgrade(rc);
        let on_open = move || {
            let Some(rc) = weak.upgrade() else { return };
            let result = {
                let mut d = rc.borrow_mut();
                let weak = Rc::downgrade(&rc);
                let Some(mse) = d.mse.as_mut() else { return };
                mse.add_buffers(&tracks, duration, sequence_mode, |track| buffer_callbacks(&weak, track))
            };
            let input = match result {
                Ok(()) => Input::MediaReady,
                Err(reason) => Input::MediaFailed { reason },
            };
            handle(&rc, input);
        };
        match Mse::attach(&self.video, on_open) {
            Ok(mse) => {
                self.mse = Some(mse);
                if resume {
                    if let Ok(promise) = self.video.play() {
                        // A refusal (autoplay policy) is the page's to handle; nothing to do here.
                        wasm_bindgen_futures::spawn_local(async move {
                            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                        });
                    }
                }
            }
            Err(e) => self.engine.handle(now_ms(), Input::MediaFailed { reason: format!("MediaSource is not available: {}", js_error(&e)) }),
        }
    }

    fn playhead(&self) -> Playhead {
        Playhead {
            time: self.video.current_time(),
            paused: self.video.paused(),
            seeking: self.video.seeking(),
            rate: self.video.playback_rate(),
            buffered: self.mse.as_ref().map(Mse::buffered).unwrap_or_default(),
        }
    }

    /// One timer, always at the engine's next deadline.
    fn arm_timer(&mut self, rc: &Shared) {
        let Some(window) = web_sys::window() else { return };
        if let Some(t) = self.timer.take() {
            window.clear_timeout_with_handle(t);
        }
        let Some(at) = self.engine.next_timeout() else { return };
        let delay = at.saturating_sub(now_ms()).min(i32::MAX as u64) as i32;
        let weak = Rc::downgrade(rc);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(rc) = weak.upgrade() {
                rc.borrow_mut().timer = None;
                handle(&rc, Input::Tick);
            }
        });
        self.timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), delay).ok();
        self.timer_closure = Some(closure);
    }
}

/// Where the P2P adapters report: straight into `handle` (which waits for the
/// next microtask if the driver is busy).
fn reporter(weak: &Weak<RefCell<Driver>>) -> Report {
    let weak = weak.clone();
    Rc::new(move |input| {
        if let Some(rc) = weak.upgrade() {
            handle(&rc, input);
        }
    })
}

/// `updateend` and `error` handlers for one SourceBuffer.
fn buffer_callbacks(weak: &Weak<RefCell<Driver>>, track: crate::engine::Track) -> BufferCallbacks {
    let w1 = weak.clone();
    let update_end = move || {
        let Some(rc) = w1.upgrade() else { return };
        let inputs = rc.borrow_mut().mse.as_mut().map(|m| m.update_end(track)).unwrap_or_default();
        for input in inputs {
            handle(&rc, input);
        }
    };
    let w2 = weak.clone();
    let error = move || {
        let Some(rc) = w2.upgrade() else { return };
        let input = rc.borrow_mut().mse.as_mut().and_then(|m| m.error(track));
        if let Some(input) = input {
            handle(&rc, input);
        }
    };
    (Box::new(update_end), Box::new(error))
}

/// The page event for an engine event: its kebab-case type, and the event itself
/// (camelCase fields) as `detail`.
fn page_event(e: &Event) -> (String, JsValue) {
    (e.kind().to_string(), to_js(&e.to_json()))
}

/// A tubeswarm player attached to a `<video>` element.
///
/// ```js
/// import init, { Player } from "tubeswarm";
/// await init();
/// const player = await Player.create(document.querySelector("video"), { src: "https://example.org/master.m3u8" });
/// player.addEventListener("level-switch", (e) => console.log(e.detail));
/// console.log(player.levels(), player.stats());
/// ```
#[wasm_bindgen]
pub struct Player {
    driver: Shared,
}

#[wasm_bindgen]
impl Player {
    /// Start playing `options.src` in `video`. Options: `src` (required),
    /// `mirrors` (base URLs), `segmentsSha256Url` (PeerTube's hash map: every
    /// segment is verified before it is played), `forwardBuffer`, `backBuffer`
    /// (seconds), `startLevel`, `startTime`, `requestTimeout` (ms), `maxRetries`;
    /// peer-to-peer: `trackers` (WebTorrent tracker URLs), `p2p` (default true),
    /// `upload` (default true), `iceServers` (RTCIceServer list; none needed on one
    /// machine), `swarmId`, `maxPeers`; `latencyMode` for live: `"default"`,
    /// `"high"` (further behind the edge: more P2P) or `"small"` (P2P off);
    /// `loaderMode: true` to let another player own `video` and call `load()`.
    pub async fn create(video: HtmlVideoElement, #[wasm_bindgen(unchecked_param_type = "PlayerOptions")] options: JsValue) -> Result<Player, JsValue> {
        let options: PlayerOptions =
            from_js(&options).and_then(|v| PlayerOptions::from_json(&v)).map_err(|e| JsValue::from_str(&format!("tubeswarm: bad options: {e}")))?;
        let config = options.to_config();
        // A playlist, or web videos alone (then `src` may be left out).
        let src = options.playlist_src().or_else(|| (!config.web_videos.is_empty()).then(String::new));
        let src = src.ok_or_else(|| JsValue::from_str("tubeswarm: options.src (or webVideos) is required"))?;
        let credentials = options.credentials();
        let engine = Engine::new(config, &src, now_ms());
        let events = EventTarget::new()?;
        let ice_servers: &[super::rtc::IceServer] = &options.ice_servers;
        let driver = Rc::new_cyclic(|weak: &Weak<RefCell<Driver>>| RefCell::new(Driver {
            engine,
            video: video.clone(),
            events,
            mse: None,
            requests: Table::new(),
            timer: None,
            timer_closure: None,
            interval: None,
            element_listeners: Vec::new(),
            interval_closure: None,
            trackers: TrackerSockets::new(reporter(weak)),
            rtc: Rtc::new(ice_servers, reporter(weak)),
            loads: PendingLoads::default(),
            credentials,
            playing_file: false,
            destroyed: false,
        }));
        listen_to_element(&driver, &video);
        // Start on the next task, so the caller can add listeners first.
        let weak = Rc::downgrade(&driver);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(rc) = weak.upgrade() {
                let events = {
                    let mut d = rc.borrow_mut();
                    d.run_outputs(&rc)
                };
                dispatch(&rc, events);
            }
        });
        Ok(Player { driver })
    }

    /// The quality levels: `[{index, width, height, bandwidth, codecs, label, audioOnly}]`.
    #[wasm_bindgen(unchecked_return_type = "LevelInfo[]")]
    pub fn levels(&self) -> JsValue {
        to_js(&crate::json::Value::Array(self.driver.borrow().engine.levels().iter().map(|l| l.to_json()).collect()))
    }

    /// Loader mode (`loaderMode: true`): the segment at `url` (bytes
    /// `rangeStart..rangeEnd`, end exclusive, as hls.js gives them), from the
    /// store, a peer or HTTP, verified. Resolves with a `Uint8Array`, or `null`
    /// when `url` is in none of this stream's playlists (fetch it yourself);
    /// rejects when every source failed. `start` is the segment's start time
    /// on the calling player's timeline. See `tubeswarm-hlsjs.js` for hls.js.
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array | null>")]
    pub fn load(
        &self,
        id: f64,
        url: String,
        #[wasm_bindgen(js_name = "rangeStart")] range_start: Option<f64>,
        #[wasm_bindgen(js_name = "rangeEnd")] range_end: Option<f64>,
        start: Option<f64>,
    ) -> js_sys::Promise {
        let id = id as LoadId;
        let range = match (range_start, range_end) {
            (Some(s), Some(e)) if e > s => Some(crate::hls::ByteRange { offset: s as u64, length: (e - s) as u64 }),
            _ => None,
        };
        let promise = self.driver.borrow_mut().loads.promise(id);
        handle(&self.driver, Input::Load { id, url, range, start });
        promise
    }

    /// Loader mode: the caller no longer wants load `id`; its promise resolves
    /// with `null`.
    #[wasm_bindgen(js_name = cancelLoad)]
    pub fn cancel_load(&self, id: f64) {
        let id = id as LoadId;
        self.driver.borrow_mut().loads.cancel(id);
        handle(&self.driver, Input::CancelLoad { id });
    }

    /// The master playlist's caption tracks, resolved to their WebVTT files:
    /// a Promise of `[{name, language, default, autoselect, url, urls}]` (`url` is
    /// the first file; PeerTube has exactly one). Empty until `levels` has fired.
    ///
    /// ```js
    /// for (const c of await player.captions()) {
    ///   video.append(Object.assign(document.createElement("track"), { kind: "subtitles", label: c.name, srclang: c.language, src: c.url }));
    /// }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "CaptionFile[]")]
    pub async fn captions(&self) -> Result<JsValue, JsValue> {
        let tracks = self.driver.borrow().engine.captions().to_vec();
        let mut list = Vec::with_capacity(tracks.len());
        for track in tracks {
            let headers = self.driver.borrow().credentials.headers(&track.playlist_url);
            let urls = caption_files(&track.playlist_url, &headers).await?;
            list.push(track.to_json().field("url", urls.first().cloned()).field("urls", urls).build());
        }
        Ok(to_js(&crate::json::Value::Array(list)))
    }

    /// Choose a level by index; -1 returns to automatic choice. The "Audio only"
    /// entry of `levels()` plays just the audio rendition.
    #[wasm_bindgen(js_name = setLevel)]
    pub fn set_level(&self, index: i32) -> Result<(), JsValue> {
        let choice = self.driver.borrow().engine.choice_for_index(index as i64);
        let choice = choice.ok_or_else(|| JsValue::from_str(&format!("tubeswarm: no level {index}")))?;
        handle(&self.driver, Input::SetLevel(choice));
        Ok(())
    }

    /// Peer-to-peer on or off, and sharing ("consume only" when off).
    #[wasm_bindgen(js_name = setP2p)]
    pub fn set_p2p(&self, p2p: bool, upload: bool) {
        handle(&self.driver, Input::SetPeerToPeer { p2p, upload });
    }

    /// `{httpDownloadedBytes, p2pDownloadedBytes, p2pUploadedBytes, peers, ...}`.
    #[wasm_bindgen(unchecked_return_type = "PlayerStats")]
    pub fn stats(&self) -> JsValue {
        to_js(&self.driver.borrow().engine.stats().to_json())
    }

    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(
        &self,
        #[wasm_bindgen(unchecked_param_type = "keyof PlayerEventMap")] kind: &str,
        #[wasm_bindgen(unchecked_param_type = "(event: CustomEvent) => void")] listener: &js_sys::Function,
    ) -> Result<(), JsValue> {
        self.driver.borrow().events.add_event_listener_with_callback(kind, listener)
    }

    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(
        &self,
        #[wasm_bindgen(unchecked_param_type = "keyof PlayerEventMap")] kind: &str,
        #[wasm_bindgen(unchecked_param_type = "(event: CustomEvent) => void")] listener: &js_sys::Function,
    ) -> Result<(), JsValue> {
        self.driver.borrow().events.remove_event_listener_with_callback(kind, listener)
    }

    /// Stop everything: requests, timers, listeners, the MediaSource.
    pub fn destroy(&self) {
        let mut d = self.driver.borrow_mut();
        if d.destroyed {
            return;
        }
        d.destroyed = true;
        for (_, abort) in crate::table::drain(&mut d.requests) {
            abort.abort();
        }
        // Leave the swarm cleanly: tell the trackers before the sockets close.
        d.engine.shutdown();
        while let Some(out) = d.engine.poll() {
            if let Output::TrackerSend { tracker, text } = out {
                let _ = d.trackers.send(tracker, text);
            }
        }
        d.trackers.close_all();
        d.rtc.close_all();
        d.loads.give_back_all();
        if let Some(window) = web_sys::window() {
            if let Some(t) = d.timer.take() {
                window.clear_timeout_with_handle(t);
            }
            if let Some(i) = d.interval.take() {
                window.clear_interval_with_handle(i);
            }
        }
        let listeners = std::mem::take(&mut d.element_listeners);
        for (kind, closure) in &listeners {
            let _ = d.video.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        }
        // Only a MediaSource of ours is taken off the element: in loader mode
        // the media belongs to the other player.
        let file = std::mem::take(&mut d.playing_file);
        if let Some(mut mse) = d.mse.take() {
            mse.detach();
            d.video.remove_attribute("src").ok();
            d.video.load();
        } else if file {
            d.video.remove_attribute("src").ok();
            d.video.load();
        }
    }
}

/// The WebVTT files of one caption playlist.
async fn caption_files(playlist_url: &str, headers: &[(&str, String)]) -> Result<Vec<String>, JsValue> {
    let fail = |reason: String| JsValue::from_str(&format!("tubeswarm: captions {playlist_url}: {reason}"));
    let abort = AbortController::new()?;
    let body = fetch_bytes(playlist_url, None, headers, &abort).await.map_err(|e| fail(e.reason))?;
    let text = std::str::from_utf8(&body).map_err(|_| fail("not UTF-8 text".into()))?;
    match crate::hls::parse_playlist(text, playlist_url) {
        Ok(crate::hls::Playlist::Media(media)) => Ok(webvtt_urls(&media)),
        Ok(_) => Err(fail("a master playlist where a caption playlist belongs".into())),
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Report the playhead on the element's events and every 250 ms.
fn listen_to_element(rc: &Shared, video: &HtmlVideoElement) {
    let make = |rc: &Shared| {
        let weak = Rc::downgrade(rc);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(rc) = weak.upgrade() {
                let Ok(d) = rc.try_borrow() else { return };
                if d.destroyed {
                    return;
                }
                let p = d.playhead();
                drop(d);
                handle(&rc, Input::Playhead(p));
            }
        })
    };
    let mut d = rc.borrow_mut();
    for kind in ["timeupdate", "seeking", "seeked", "waiting", "playing", "ratechange"] {
        let closure = make(rc);
        let _ = video.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        d.element_listeners.push((kind, closure));
    }
    // A MediaError while playing our MediaSource: the engine decides (a web video
    // to fall back to, or a fatal error).
    let weak = Rc::downgrade(rc);
    let on_error = Closure::<dyn FnMut()>::new(move || {
        let Some(rc) = weak.upgrade() else { return };
        let Ok(d) = rc.try_borrow() else { return };
        if d.destroyed || d.mse.is_none() {
            return;
        }
        let Some(error) = d.video.error() else { return };
        let reason = format!("MediaError {}: {}", error.code(), error.message());
        drop(d);
        handle(&rc, Input::MediaError { reason });
    });
    let _ = video.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    d.element_listeners.push(("error", on_error));
    let closure = make(rc);
    if let Some(window) = web_sys::window() {
        d.interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), PLAYHEAD_INTERVAL_MS)
            .ok();
    }
    d.interval_closure = Some(closure);
}
