//! When to tell the instance that the video is being watched, as PeerTube's own
//! player does (`peertube-plugin.ts`): the instance counts a view, keeps the
//! viewer's history and its "viewers now" figure from these reports alone.
//!
//! - on the first `play`: the start position;
//! - then every `interval` (the instance's `views.videos.watchingInterval`, 5 s by
//!   default), when the position (in whole seconds) changed since the last report;
//! - after a seek, the next report says `viewEvent: "seek"`, except for the seek
//!   to the start position and forward jumps under 3 s (PeerTube ignores those);
//! - at `ended`, the duration, once (never for a live, which has no end).
//!
//! Sans-IO like the engine: the page passes the time and the element's state in,
//! sends what comes out, and calls [`ViewReporter::tick`] at
//! [`ViewReporter::next_timeout`].

/// Forward jumps shorter than this are playback, not a seek (PeerTube: 3 s).
const SEEK_THRESHOLD_S: i64 = 3;

/// One `POST /api/v1/videos/{id}/views` body, without the session fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewReport {
    /// Whole seconds, as PeerTube's validator requires an integer.
    pub current_time: u64,
    pub view_event: Option<&'static str>,
}

impl ViewReport {
    /// `{currentTime, viewEvent?}`.
    pub fn to_json(&self) -> crate::json::Value {
        crate::json::Obj::new().field("currentTime", self.current_time).some("viewEvent", self.view_event).build()
    }
}

#[derive(Debug, Clone)]
pub struct ViewReporter {
    interval_ms: u64,
    live: bool,
    /// The seek to the start position is not the viewer's.
    skip_next_seek: bool,
    started: bool,
    ended: bool,
    /// The last position reported, whole seconds.
    last_reported: i64,
    seek_pending: bool,
    next_at: Option<u64>,
}

fn whole(seconds: f64) -> i64 {
    if seconds.is_finite() && seconds > 0.0 {
        seconds.floor().min(1e12) as i64
    } else {
        0
    }
}

impl ViewReporter {
    /// `start_time`: where playback starts (seconds; 0 at the beginning).
    /// An `interval_ms` of 0 is taken as PeerTube's default, 5 s.
    ///
    /// ```
    /// use tubeswarm::peertube::ViewReporter;
    /// let mut views = ViewReporter::new(5_000, false, 0.0);
    /// assert_eq!(views.play(0).unwrap().current_time, 0);
    /// assert_eq!(views.tick(5_000, 4.9).unwrap().current_time, 4);
    /// assert_eq!(views.tick(10_000, 4.9), None, "paused: the position did not change");
    /// ```
    pub fn new(interval_ms: u64, live: bool, start_time: f64) -> ViewReporter {
        ViewReporter {
            interval_ms: if interval_ms == 0 { 5_000 } else { interval_ms },
            live,
            skip_next_seek: whole(start_time) > 0,
            started: false,
            ended: false,
            last_reported: whole(start_time),
            seek_pending: false,
            next_at: None,
        }
    }

    /// The element fired `play`. The first one is reported at once.
    pub fn play(&mut self, now_ms: u64) -> Option<ViewReport> {
        if self.started {
            return None;
        }
        self.started = true;
        self.next_at = Some(now_ms + self.interval_ms);
        Some(ViewReport { current_time: self.last_reported as u64, view_event: None })
    }

    /// The element fired `seeked`, now at `current_time`.
    pub fn seeked(&mut self, current_time: f64) {
        if std::mem::take(&mut self.skip_next_seek) {
            return;
        }
        let diff = whole(current_time) - self.last_reported;
        if diff > 0 && diff < SEEK_THRESHOLD_S {
            return;
        }
        if diff != 0 {
            self.seek_pending = true;
        }
        // Back at work after the end: a seek (or the loop) restarts the reports.
        self.ended = false;
    }

    /// The element fired `ended` with this duration.
    pub fn ended(&mut self, duration: f64) -> Option<ViewReport> {
        if self.ended || !self.started {
            return None;
        }
        self.ended = true;
        if self.live {
            return None;
        }
        self.last_reported = whole(duration);
        let view_event = std::mem::take(&mut self.seek_pending).then_some("seek");
        Some(ViewReport { current_time: self.last_reported as u64, view_event })
    }

    /// The time asked for by `next_timeout` came; `current_time` is the element's.
    pub fn tick(&mut self, now_ms: u64, current_time: f64) -> Option<ViewReport> {
        let due = self.next_at.is_some_and(|t| t <= now_ms);
        if !due {
            return None;
        }
        self.next_at = Some(now_ms + self.interval_ms);
        let position = whole(current_time);
        if self.ended || position == self.last_reported {
            return None;
        }
        self.last_reported = position;
        let view_event = std::mem::take(&mut self.seek_pending).then_some("seek");
        Some(ViewReport { current_time: position as u64, view_event })
    }

    /// When to call [`tick`](Self::tick) next (`None` before the first play).
    pub fn next_timeout(&self) -> Option<u64> {
        self.next_at
    }
}

/// Where playback starts, as PeerTube's watch page chooses it: the URL's `start`,
/// else the position this browser kept (`local`), else the logged-in viewer's
/// history; a position within a second of the end starts over; a live starts at
/// its edge (`None`).
///
/// ```
/// use tubeswarm::peertube::start_position;
/// assert_eq!(start_position(false, Some(30.0), Some(80.0), Some(90.0), Some(300.0)), Some(30.0));
/// assert_eq!(start_position(false, None, Some(299.5), None, Some(300.0)), Some(0.0), "watched to the end");
/// ```
pub fn start_position(live: bool, url_start: Option<f64>, local: Option<f64>, history: Option<f64>, duration: Option<f64>) -> Option<f64> {
    if live {
        return None;
    }
    let valid = |t: Option<f64>| t.filter(|t| t.is_finite() && *t >= 0.0);
    if let Some(t) = valid(url_start) {
        return Some(t);
    }
    let saved = valid(local).or(valid(history)).unwrap_or(0.0);
    match duration.filter(|d| d.is_finite() && *d > 0.0) {
        Some(d) if d - saved <= 1.0 => Some(0.0),
        _ => Some(saved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: u64) -> u64 {
        t * 1000
    }

    #[test]
    fn first_play_then_every_interval_while_the_position_moves() {
        let mut v = ViewReporter::new(5_000, false, 0.0);
        assert_eq!(v.next_timeout(), None, "nothing before the first play");
        assert_eq!(v.tick(at(5), 5.0), None);
        assert_eq!(v.play(at(1)), Some(ViewReport { current_time: 0, view_event: None }));
        assert_eq!(v.play(at(2)), None, "only the first play");
        assert_eq!(v.next_timeout(), Some(at(6)));
        assert_eq!(v.tick(at(5), 4.0), None, "not due yet");
        assert_eq!(v.tick(at(6), 5.2).map(|r| r.current_time), Some(5));
        assert_eq!(v.tick(at(11), 5.9), None, "paused in the same second");
        assert_eq!(v.tick(at(16), 14.0).map(|r| r.current_time), Some(14));
    }

    #[test]
    fn seeks_are_reported_on_the_next_post_except_short_forward_jumps() {
        let mut v = ViewReporter::new(5_000, false, 60.0);
        assert_eq!(v.play(0).unwrap().current_time, 60, "the start position");
        v.seeked(60.0); // the seek to the start: not the viewer's
        assert_eq!(v.tick(at(5), 65.0), Some(ViewReport { current_time: 65, view_event: None }));
        v.seeked(67.0); // 2 s forward: playback, not a seek
        assert_eq!(v.tick(at(10), 70.0).unwrap().view_event, None);
        v.seeked(40.0); // back
        assert_eq!(v.tick(at(15), 44.0), Some(ViewReport { current_time: 44, view_event: Some("seek") }));
        assert_eq!(v.tick(at(20), 49.0).unwrap().view_event, None, "once");
        v.seeked(120.0); // far forward
        assert_eq!(v.tick(at(25), 124.0).unwrap().view_event, Some("seek"));
    }

    #[test]
    fn the_end_is_reported_once_and_never_for_a_live() {
        let mut v = ViewReporter::new(5_000, false, 0.0);
        assert_eq!(v.ended(100.0), None, "not started");
        v.play(0);
        assert_eq!(v.ended(179.96), Some(ViewReport { current_time: 179, view_event: None }));
        assert_eq!(v.ended(179.96), None);
        assert_eq!(v.tick(at(5), 179.96), None, "nothing after the end");
        v.seeked(0.0); // replay from the start
        assert_eq!(v.tick(at(10), 4.0).unwrap().view_event, Some("seek"));

        let mut live = ViewReporter::new(0, true, 0.0);
        assert_eq!(live.play(0).unwrap().current_time, 0);
        assert_eq!(live.tick(at(5), 3605.5).map(|r| r.current_time), Some(3605), "the default interval: 5 s");
        assert_eq!(live.ended(3610.0), None, "a live has no end to report");
    }

    #[test]
    fn start_positions() {
        // URL > this browser's memory > the account's history.
        assert_eq!(start_position(false, Some(12.0), Some(30.0), Some(40.0), Some(100.0)), Some(12.0));
        assert_eq!(start_position(false, None, Some(30.0), Some(40.0), Some(100.0)), Some(30.0));
        assert_eq!(start_position(false, None, None, Some(40.0), Some(100.0)), Some(40.0));
        assert_eq!(start_position(false, None, None, None, Some(100.0)), Some(0.0));
        // Within a second of the end (inclusive): from the start.
        assert_eq!(start_position(false, None, Some(99.0), None, Some(100.0)), Some(0.0));
        assert_eq!(start_position(false, None, Some(98.9), None, Some(100.0)), Some(98.9));
        // A URL start is the viewer's wish, even at the end.
        assert_eq!(start_position(false, Some(99.5), None, None, Some(100.0)), Some(99.5));
        assert_eq!(start_position(false, None, Some(f64::NAN), Some(-3.0), None), Some(0.0));
        assert_eq!(start_position(true, Some(10.0), Some(30.0), None, None), None);
    }
}

/// What PeerTube 7.2+ records of the viewer's software with each view (`client`,
/// `device`, `operatingSystem`), from the user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub client: Option<&'static str>,
    pub device: &'static str,
    pub operating_system: Option<&'static str>,
}

impl ClientInfo {
    /// `{client?, device, operatingSystem?}`: unknown names left out, as PeerTube's player leaves them.
    pub fn to_json(&self) -> crate::json::Value {
        crate::json::Obj::new().some("client", self.client).field("device", self.device).some("operatingSystem", self.operating_system).build()
    }
}

/// The names ua-parser-js 2 (what PeerTube's player uses) gives the browsers and
/// systems that play video on the web, and PeerTube's device rule: the parsed
/// type, else "mobile" for iPhone/iPad/iPod/Android, else "desktop".
///
/// Hand-written rather than a port of ua-parser-js's regex tables (hundreds of
/// patterns, most for bots and rare devices): the instance only groups its
/// statistics by these names. `tests/e2e/ua.test.mjs` checks every name against
/// ua-parser-js itself on real user agents, including each test browser's own.
///
/// ```
/// use tubeswarm::peertube::client_info;
/// let c = client_info("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0");
/// assert_eq!((c.client, c.operating_system, c.device), (Some("Firefox"), Some("Linux"), "desktop"));
/// ```
pub fn client_info(user_agent: &str) -> ClientInfo {
    let ua = user_agent;
    let has = |s: &str| ua.contains(s);
    let android = has("Android");
    let apple_mobile = has("iPhone") || has("iPad") || has("iPod");
    let mobile_token = has("Mobile");
    let client = if has("Edg/") || has("Edge/") || has("EdgA/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("HeadlessChrome/") {
        Some("Chrome Headless")
    } else if has("Chromium/") {
        Some("Chromium")
    } else if has("Firefox/") || has("FxiOS/") {
        Some(if mobile_token || apple_mobile { "Mobile Firefox" } else { "Firefox" })
    } else if has("CriOS/") {
        Some("Mobile Chrome")
    } else if has("Chrome/") {
        Some(if android && mobile_token { "Mobile Chrome" } else { "Chrome" })
    } else if has("Safari/") && has("Version/") {
        Some(if mobile_token || apple_mobile { "Mobile Safari" } else { "Safari" })
    } else {
        None
    };
    let operating_system = if has("Windows") {
        Some("Windows")
    } else if apple_mobile {
        Some("iOS")
    } else if android {
        Some("Android")
    } else if has("CrOS") {
        Some("Chrome OS")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Ubuntu") {
        Some("Ubuntu")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    let parsed_type = if has("iPad") || (android && !mobile_token) {
        Some("tablet")
    } else if has("iPhone") || has("iPod") || (android && mobile_token) {
        Some("mobile")
    } else {
        None
    };
    let device = parsed_type.unwrap_or(if android || apple_mobile { "mobile" } else { "desktop" });
    ClientInfo { client, device, operating_system }
}

#[cfg(test)]
mod client_tests {
    use super::client_info;

    #[test]
    fn the_browsers_of_the_test_suite_and_phones() {
        for (ua, want) in [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                (Some("Chrome Headless"), Some("Linux"), "desktop"),
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
                (Some("Safari"), Some("Ubuntu"), "desktop"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                (Some("Chrome"), Some("Android"), "tablet"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                (Some("Mobile Safari"), Some("iOS"), "mobile"),
            ),
            ("curl/8.0", (None, None, "desktop")),
        ] {
            let c = client_info(ua);
            assert_eq!((c.client, c.operating_system, c.device), want, "{ua}");
        }
    }
}
