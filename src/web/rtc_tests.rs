//! The P2P adapters in a real browser (wasm-bindgen-test in headless Chromium):
//! two peer connections in one page talk to each other, and the tracker socket
//! talks to the demo server's tracker (`TUBESWARM_TEST_ORIGIN`, as in tests.rs).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use super::rtc::{without_trickle, Rtc, LOW_WATER_MARK};
use super::tracker_socket::{Report, TrackerSockets};
use crate::engine::Input;

wasm_bindgen_test_configure!(run_in_browser);

type Log = Rc<RefCell<Vec<Input>>>;

/// A report callback that records every input.
fn recorder() -> (Report, Log) {
    let log: Log = Rc::default();
    let l = log.clone();
    (Rc::new(move |input| l.borrow_mut().push(input)), log)
}

async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Wait (up to `ms`) for the first recorded input that `pick` accepts.
async fn wait_for<T>(log: &Log, ms: i32, what: &str, pick: impl Fn(&Input) -> Option<T>) -> T {
    let mut waited = 0;
    loop {
        if let Some(found) = log.borrow().iter().find_map(&pick) {
            return found;
        }
        assert!(waited < ms, "no {what} after {ms} ms; got {:?}", brief(&log.borrow()));
        sleep(20).await;
        waited += 20;
    }
}

/// The inputs without their bytes, for assertion messages.
fn brief(log: &[Input]) -> Vec<String> {
    log.iter()
        .map(|i| match i {
            Input::PeerData { conn, data } => format!("PeerData {{ conn: {conn}, {} bytes }}", data.len()),
            other => format!("{other:?}"),
        })
        .collect()
}

fn closed(log: &Log) -> Vec<String> {
    log.borrow().iter().filter_map(|i| if let Input::PeerClosed { reason, .. } = i { Some(reason.clone()) } else { None }).collect()
}

#[wasm_bindgen_test]
async fn two_connections_in_one_page_exchange_2_mib_in_order_and_see_the_close() {
    let (report_a, a_log) = recorder();
    let (report_b, b_log) = recorder();
    let a = Rtc::new(&[], report_a);
    let b = Rtc::new(&[], report_b);

    assert!(a.create_offer(1).is_none());
    let offer = wait_for(&a_log, 10_000, "OfferReady", |i| match i {
        Input::OfferReady { conn: 1, sdp } => Some(sdp.clone()),
        _ => None,
    })
    .await;
    assert!(!offer.contains("a=ice-options:trickle"), "{offer}");
    assert!(offer.contains("\r\na=candidate:"), "the offer holds its candidates: {offer}");
    assert!(offer.contains("m=application"), "{offer}");

    assert!(b.create_answer(7, &offer).is_none());
    let answer = wait_for(&b_log, 10_000, "AnswerReady", |i| match i {
        Input::AnswerReady { conn: 7, sdp } => Some(sdp.clone()),
        _ => None,
    })
    .await;
    assert!(!answer.contains("a=ice-options:trickle"), "{answer}");
    assert!(answer.contains("\r\na=candidate:"), "{answer}");

    a.accept_answer(1, &answer);
    wait_for(&a_log, 10_000, "PeerOpen on A", |i| matches!(i, Input::PeerOpen { conn: 1 }).then_some(())).await;
    wait_for(&b_log, 10_000, "PeerOpen on B", |i| matches!(i, Input::PeerOpen { conn: 7 }).then_some(())).await;

    // 2 MiB in 64 KiB messages, all queued at once: the buffer goes far above the
    // low-water mark, so PeerWritable must come when it drains.
    let sent: Vec<u8> = (0..2u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for chunk in sent.chunks(64 << 10) {
        assert!(a.send(1, chunk).is_none(), "send refused: {:?}", brief(&a_log.borrow()));
    }
    assert!(a.buffered_amount(1) > LOW_WATER_MARK, "{} bytes buffered", a.buffered_amount(1));
    let total = || b_log.borrow().iter().map(|i| if let Input::PeerData { data, .. } = i { data.len() } else { 0 }).sum::<usize>();
    let mut waited = 0;
    while total() < sent.len() {
        assert!(waited < 20_000, "B got {} of {} bytes", total(), sent.len());
        sleep(20).await;
        waited += 20;
    }
    let received: Vec<u8> =
        b_log.borrow().iter().filter_map(|i| if let Input::PeerData { data, .. } = i { Some(data.to_vec()) } else { None }).flatten().collect();
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "the bytes arrive intact and in order");
    let messages = b_log.borrow().iter().filter(|i| matches!(i, Input::PeerData { .. })).count();
    assert_eq!(messages, 32, "one PeerData per message");
    wait_for(&a_log, 5_000, "PeerWritable on A", |i| matches!(i, Input::PeerWritable { conn: 1 }).then_some(())).await;
    assert_eq!(a.buffered_amount(1), 0);

    // B closes: A hears of it once; B, which asked, hears nothing.
    b.close(7);
    let reason = wait_for(&a_log, 15_000, "PeerClosed on A", |i| match i {
        Input::PeerClosed { conn: 1, reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    web_sys::console::log_1(&format!("A saw the close as: {reason}").into());
    sleep(500).await;
    assert_eq!(closed(&a_log).len(), 1, "{:?}", brief(&a_log.borrow()));
    assert!(closed(&b_log).is_empty(), "{:?}", brief(&b_log.borrow()));
    // Sending on the closed connection says nothing more: the engine was told.
    assert!(a.send(1, b"late").is_none());
    assert_eq!(a.buffered_amount(1), 0);
}

#[wasm_bindgen_test]
async fn an_unanswered_offer_times_out_once() {
    let (report, log) = recorder();
    let a = Rtc::new(&[], report).with_connect_timeout(1_500);
    assert!(a.create_offer(3).is_none());
    wait_for(&log, 10_000, "OfferReady", |i| matches!(i, Input::OfferReady { conn: 3, .. }).then_some(())).await;
    let reason = wait_for(&log, 5_000, "PeerClosed", |i| match i {
        Input::PeerClosed { conn: 3, reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(reason, "timeout");
    sleep(300).await;
    assert_eq!(closed(&log).len(), 1);
}

#[wasm_bindgen_test]
async fn a_refused_offer_and_a_send_before_open_report_peer_closed() {
    let (report, log) = recorder();
    let b = Rtc::new(&[], report);
    assert!(b.create_answer(5, "v=0\r\nthis is not SDP\r\n").is_none());
    let reason = wait_for(&log, 5_000, "PeerClosed", |i| match i {
        Input::PeerClosed { conn: 5, reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.starts_with("setRemoteDescription(offer) failed"), "{reason}");
    assert!(!log.borrow().iter().any(|i| matches!(i, Input::AnswerReady { .. })));

    // A send on a channel that is not open yet closes the connection at once.
    assert!(b.create_offer(6).is_none());
    match b.send(6, b"too early") {
        Some(Input::PeerClosed { conn: 6, reason }) => assert!(reason.contains("not open"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Nothing more comes for it, not even its OfferReady.
    sleep(1_000).await;
    assert_eq!(closed(&log).len(), 1, "{:?}", brief(&log.borrow()));
    assert!(!log.borrow().iter().any(|i| matches!(i, Input::OfferReady { .. })), "{:?}", brief(&log.borrow()));
}

#[wasm_bindgen_test]
async fn a_closed_peer_reports_nothing_and_its_offer_is_dropped() {
    let (report, log) = recorder();
    let a = Rtc::new(&[], report);
    assert!(a.create_offer(1).is_none());
    a.close(1);
    sleep(1_500).await;
    assert!(log.borrow().is_empty(), "{:?}", brief(&log.borrow()));
}

#[wasm_bindgen_test]
fn the_trickle_line_goes_and_nothing_else() {
    let sdp = "v=0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-options:trickle\r\na=candidate:1 1 udp 1 x.local 5000 typ host\r\n";
    assert_eq!(
        without_trickle(sdp),
        "v=0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=candidate:1 1 udp 1 x.local 5000 typ host\r\n"
    );
}

fn tracker_url() -> Option<String> {
    let Some(origin) = option_env!("TUBESWARM_TEST_ORIGIN") else {
        web_sys::console::log_1(&"TUBESWARM_TEST_ORIGIN unset: this test checks nothing".into());
        return None;
    };
    Some(format!("{}tracker/socket", origin.replacen("http", "ws", 1)))
}

#[wasm_bindgen_test]
async fn the_tracker_socket_announces_to_the_demo_tracker() {
    let Some(url) = tracker_url() else { return };
    let (report, log) = recorder();
    let trackers = TrackerSockets::new(report);
    assert!(trackers.connect(0, &url).is_none());
    let announce = serde_json::json!({
        "action": "announce",
        "event": "started",
        "info_hash": "tubeswarm-rtc-tests!",
        "peer_id": "-TS0001-rtctests0001",
        "numwant": 5,
        "offers": [],
    })
    .to_string();
    // Sent before the socket opens: it waits, and goes out on open.
    assert!(trackers.send(0, announce.clone()).is_none());
    wait_for(&log, 5_000, "TrackerOpen", |i| matches!(i, Input::TrackerOpen { tracker: 0 }).then_some(())).await;
    let text = wait_for(&log, 5_000, "TrackerMessage", |i| match i {
        Input::TrackerMessage { tracker: 0, text } => Some(text.clone()),
        _ => None,
    })
    .await;
    let reply: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reply["action"], "announce", "{text}");
    assert!(reply["interval"].as_u64().is_some_and(|s| s > 0), "{text}");
    assert_eq!(reply["info_hash"], "tubeswarm-rtc-tests!", "{text}");

    // Once open, a send goes straight out: a second announce, a second reply.
    assert!(trackers.send(0, announce).is_none());
    let replies = |log: &Log| log.borrow().iter().filter(|i| matches!(i, Input::TrackerMessage { .. })).count();
    let mut waited = 0;
    while replies(&log) < 2 {
        assert!(waited < 5_000, "{:?}", log.borrow());
        sleep(20).await;
        waited += 20;
    }

    // Disconnect: no TrackerClosed; a send after it is dropped.
    trackers.disconnect(0);
    assert!(trackers.send(0, "{}".into()).is_none());
    sleep(500).await;
    assert!(!log.borrow().iter().any(|i| matches!(i, Input::TrackerClosed { .. })), "{:?}", log.borrow());
}

#[wasm_bindgen_test]
async fn a_tracker_that_cannot_be_reached_is_reported_closed_once() {
    let (report, log) = recorder();
    let trackers = TrackerSockets::new(report);
    // Port 9 (discard) has no listener here: error, then close, one report.
    assert!(trackers.connect(2, "ws://127.0.0.1:9/").is_none());
    let reason = wait_for(&log, 10_000, "TrackerClosed", |i| match i {
        Input::TrackerClosed { tracker: 2, reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    web_sys::console::log_1(&format!("unreachable tracker: {reason}").into());
    sleep(500).await;
    assert_eq!(log.borrow().len(), 1, "{:?}", log.borrow());

    // A URL the browser refuses outright (no ws, wss, http or https scheme; a
    // relative one would be resolved against the page) comes back at once.
    match trackers.connect(3, "ftp://127.0.0.1/") {
        Some(Input::TrackerClosed { tracker: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
}
