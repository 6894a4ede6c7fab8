//! The web adapters in a real browser (wasm-bindgen-test in headless Chromium),
//! against the demo server whose URL `scripts/test.sh` passes at compile time as
//! `TUBESWARM_TEST_ORIGIN`. Without it (a plain `cargo test --target wasm32…`),
//! the tests that need media say so and pass nothing off as checked.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{AbortController, HtmlMediaElement};

use super::http::fetch_bytes;
use super::mse::{BufferCallbacks, Mse};
use crate::engine::{Input, Track};
use crate::hls::{parse_playlist, MediaPlaylist, Playlist};

wasm_bindgen_test_configure!(run_in_browser);

const VOD_MASTER: &str = "media/vod/9c9de5e8-0a1e-484a-b099-e80766180a6d-master.m3u8";

fn origin() -> Option<&'static str> {
    let origin = option_env!("TUBESWARM_TEST_ORIGIN");
    if origin.is_none() {
        web_sys::console::log_1(&"TUBESWARM_TEST_ORIGIN unset: this test checks nothing".into());
    }
    origin
}

async fn get(url: &str) -> Vec<u8> {
    let abort = AbortController::new().unwrap();
    match fetch_bytes(url, None, &[], &abort).await {
        Ok(b) => b.to_vec(),
        Err(e) => panic!("GET {url}: {:?} {}", e.status, e.reason),
    }
}

/// The VOD's lowest video level playlist, loaded over HTTP and parsed.
async fn level_playlist(origin: &str) -> MediaPlaylist {
    let master_url = format!("{origin}{VOD_MASTER}");
    let text = String::from_utf8(get(&master_url).await).unwrap();
    let Ok(Playlist::Master(master)) = parse_playlist(&text, &master_url) else { panic!("a master playlist") };
    let url = master.variants[0].url.clone();
    let text = String::from_utf8(get(&url).await).unwrap();
    match parse_playlist(&text, &url) {
        Ok(Playlist::Media(m)) => m,
        other => panic!("{other:?}"),
    }
}

/// A promise and the function that resolves it.
fn signal() -> (Promise, Rc<RefCell<Option<Function>>>) {
    let slot: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
    let s = slot.clone();
    let promise = Promise::new(&mut |resolve, _| {
        *s.borrow_mut() = Some(resolve);
    });
    (promise, slot)
}

fn fire(slot: &Rc<RefCell<Option<Function>>>) {
    if let Some(f) = slot.borrow_mut().take() {
        let _ = f.call0(&wasm_bindgen::JsValue::NULL);
    }
}

#[wasm_bindgen_test]
async fn fetch_with_a_range_returns_exactly_those_bytes() {
    let Some(origin) = origin() else { return };
    let playlist = level_playlist(origin).await;
    let init = playlist.segments[0].init.clone().expect("EXT-X-MAP");
    let range = init.range.expect("a byte range");
    let abort = AbortController::new().unwrap();
    let bytes = fetch_bytes(&init.url, Some(range), &[], &abort).await.ok().unwrap();
    assert_eq!(bytes.len() as u64, range.length);
    assert_eq!(&bytes[4..8], b"ftyp", "an fMP4 init segment starts with ftyp");
    let seg = &playlist.segments[3].resource;
    let bytes = fetch_bytes(&seg.url, seg.range, &[], &abort).await.ok().unwrap();
    assert_eq!(bytes.len() as u64, seg.range.unwrap().length);
}

#[wasm_bindgen_test]
async fn a_missing_file_reports_its_status() {
    let Some(origin) = origin() else { return };
    let abort = AbortController::new().unwrap();
    let Err(err) = fetch_bytes(&format!("{origin}mirror/broken/x.mp4"), None, &[], &abort).await else { panic!("a 404 is an error") };
    assert_eq!(err.status, Some(404));
}

#[wasm_bindgen_test]
async fn the_source_buffer_queue_appends_removes_and_reports_decode_errors() {
    let Some(origin) = origin() else { return };
    let playlist = level_playlist(origin).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let video: HtmlMediaElement = document.create_element("video").unwrap().unchecked_into();
    let (opened, open_slot) = signal();
    let o = open_slot.clone();
    let mse = Rc::new(RefCell::new(Mse::attach(&video, move || fire(&o)).unwrap()));
    JsFuture::from(opened).await.unwrap();

    let reports: Rc<RefCell<Vec<Input>>> = Rc::default();
    let (updated, update_slot) = signal();
    let update_slot = Rc::new(RefCell::new(update_slot));
    let (m, r, u) = (mse.clone(), reports.clone(), update_slot.clone());
    let callbacks = move |track: Track| -> BufferCallbacks {
        let (m1, r1, u1) = (m.clone(), r.clone(), u.clone());
        let (m2, r2, u2) = (m.clone(), r.clone(), u.clone());
        (
            Box::new(move || {
                r1.borrow_mut().extend(m1.borrow_mut().update_end(track));
                fire(&u1.borrow());
            }),
            Box::new(move || {
                r2.borrow_mut().extend(m2.borrow_mut().error(track));
                fire(&u2.borrow());
            }),
        )
    };
    let mime = "video/mp4; codecs=\"avc1.4d401f\"".to_string();
    mse.borrow_mut().add_buffers(&[(Track::Main, mime)], Some(playlist.total_duration()), false, callbacks).unwrap();

    // Init, then the first two segments, queued back to back.
    let init = playlist.segments[0].init.clone().unwrap();
    let abort = AbortController::new().unwrap();
    let init_bytes = fetch_bytes(&init.url, init.range, &[], &abort).await.ok().unwrap();
    let mut pending = vec![init_bytes];
    for s in &playlist.segments[..2] {
        pending.push(fetch_bytes(&s.resource.url, s.resource.range, &[], &abort).await.ok().unwrap());
    }
    for bytes in pending {
        assert!(mse.borrow_mut().append(Track::Main, bytes, None).is_none(), "no synchronous failure");
    }
    let mut waited = updated;
    while reports.borrow().iter().filter(|i| matches!(i, Input::AppendDone { .. })).count() < 3 {
        JsFuture::from(waited).await.unwrap();
        let (p, slot) = signal();
        *update_slot.borrow_mut() = slot;
        waited = p;
    }
    let last = reports.borrow().last().cloned().unwrap();
    let Input::AppendDone { buffered, .. } = last else { panic!("{last:?}") };
    assert_eq!(buffered.len(), 1);
    assert!(buffered[0].start < 0.2 && buffered[0].end > 7.5, "two 4 s segments buffered: {buffered:?}");

    // Remove the first segment: RemoveDone carries the smaller buffer.
    assert!(mse.borrow_mut().remove(Track::Main, 0.0, 4.0).is_none());
    JsFuture::from(waited).await.unwrap();
    let last = reports.borrow().last().cloned().unwrap();
    let Input::RemoveDone { buffered, .. } = last else { panic!("{last:?}") };
    assert!(buffered.iter().all(|r| r.start >= 3.9), "{buffered:?}");

    // Bytes that are not media (a moof whose child box is 3 bytes long): the
    // browser's error becomes AppendFailed, not quota.
    let (p, slot) = signal();
    *update_slot.borrow_mut() = slot;
    let garbage: Vec<u8> = [&[0, 0, 0, 16][..], b"moof", &[0, 0, 0, 3], b"xxxx"].concat();
    assert!(mse.borrow_mut().append(Track::Main, garbage.into(), None).is_none());
    JsFuture::from(p).await.unwrap();
    let failed = reports.borrow().iter().any(|i| matches!(i, Input::AppendFailed { quota: false, .. }));
    assert!(failed, "{:?}", reports.borrow());
    mse.borrow_mut().detach();
}

/// `decimal::parse_f64`'s slow path is the browser's `parseFloat` in the wasm
/// build: the values are the ones Rust's own literals (std's parser, at compile
/// time) have, bit for bit.
#[wasm_bindgen_test]
fn decimals_past_the_fast_path_are_correctly_rounded() {
    use crate::decimal::parse_f64;
    let cases: [(&str, f64); 9] = [
        ("9007199254740993", 9007199254740993.0),
        ("0.1234567890123456789", 0.1234567890123456789),
        ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("4.00000000000000000000000000001", 4.00000000000000000000000000001),
        ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ("1e23", 1e23),
        ("-1e400", f64::NEG_INFINITY),
        ("1e-400", 0.0),
        ("3.966667", 3.966667),
    ];
    for (text, want) in cases {
        assert_eq!(parse_f64(text).map(f64::to_bits), Some(want.to_bits()), "{text}");
    }
    assert_eq!(parse_f64("4.0s"), None);
}
