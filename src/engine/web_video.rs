//! Web videos: plain MP4 files the `<video>` element plays by itself, one per
//! resolution (PeerTube's `files[]`). Used when a video has no HLS playlist, and
//! as the fallback when HLS fails for good, as PeerTube's player does. No
//! MediaSource, no peers, no hash check (the element fetches the file); the
//! engine keeps the level choice and tells the page which file to play, and
//! from where.

use super::*;

/// One web video file.
#[derive(Debug, Clone, PartialEq)]
pub struct WebVideoSource {
    pub url: String,
    /// The resolution's height; 0 for an audio-only file.
    pub height: u32,
    pub width: Option<u32>,
    pub label: String,
    pub frame_rate: Option<f64>,
}

/// The file PeerTube's player starts with (`pickAverageVideoFile`): the middle
/// one of those with video, in the API's order (highest first).
pub fn default_web_video(files: &[WebVideoSource]) -> usize {
    if files.len() <= 1 {
        return 0;
    }
    let with_video: Vec<usize> = (0..files.len()).filter(|&i| files[i].height > 0).collect();
    with_video.get(with_video.len() / 2).copied().unwrap_or(0)
}

impl Engine {
    pub(super) fn web_video_levels(&self) -> Vec<LevelInfo> {
        self.config
            .web_videos
            .iter()
            .enumerate()
            .map(|(index, f)| LevelInfo {
                index,
                width: f.width.unwrap_or(0),
                height: f.height,
                bandwidth: 0,
                codecs: None,
                label: f.label.clone(),
                audio_only: f.height == 0,
                frame_rate: f.frame_rate,
            })
            .collect()
    }

    /// Play web video `index` from `time` (the element keeps its play state).
    fn play_web_video(&mut self, index: usize, time: Option<f64>) {
        let Some(file) = self.config.web_videos.get(index) else { return };
        self.web_video = Some(index);
        self.outputs.push_back(Output::PlayFile { url: file.url.clone(), time });
        self.emit(Event::LevelSwitch { level: Some(index), auto: self.choice == LevelChoice::Auto, audio_only: file.height == 0 });
    }

    /// Start on web videos: the level asked for, else PeerTube's default.
    pub(super) fn start_web_videos(&mut self, time: Option<f64>) {
        self.phase = Phase::WebVideo;
        let index = match self.choice {
            LevelChoice::Fixed(i) if i < self.config.web_videos.len() => i,
            _ => {
                self.choice = LevelChoice::Auto;
                default_web_video(&self.config.web_videos)
            }
        };
        self.emit(Event::Levels { levels: self.levels() });
        self.play_web_video(index, time.filter(|t| *t > 0.0));
    }

    /// HLS failed for good: play the web video from where HLS stopped, if there
    /// is one (true), as PeerTube's player falls back on a fatal error.
    pub(super) fn fall_back_to_web_video(&mut self, kind: ErrorKind, message: &str) -> bool {
        if self.config.web_videos.is_empty() || self.config.loader_mode || self.phase == Phase::WebVideo {
            return false;
        }
        for id in self.requests.clear() {
            self.outputs.push_back(Output::Cancel { id });
        }
        self.leave_swarm();
        let time = self.pending_seek.unwrap_or(self.playhead.time);
        let time = if time > 0.0 { Some(time) } else { self.config.start_time };
        self.emit(Event::Error { kind, fatal: false, message: format!("{message}; playing the web video instead") });
        self.choice = LevelChoice::Auto;
        self.start_web_videos(time);
        true
    }

    pub(super) fn on_web_video_input(&mut self, input: Input) {
        match input {
            Input::Tick if self.web_video_start_at.take().is_some() => {
                let start = self.config.start_time;
                self.start_web_videos(start);
            }
            Input::Playhead(p) => self.playhead = p,
            Input::SetLevel(LevelChoice::Fixed(i)) if i < self.config.web_videos.len() => {
                self.choice = LevelChoice::Fixed(i);
                if self.web_video != Some(i) {
                    self.play_web_video(i, Some(self.playhead.time));
                }
            }
            Input::SetLevel(LevelChoice::Auto) => {
                self.choice = LevelChoice::Auto;
                let i = default_web_video(&self.config.web_videos);
                if self.web_video != Some(i) {
                    self.play_web_video(i, Some(self.playhead.time));
                } else {
                    self.emit_web_video_switch();
                }
            }
            // Nothing else concerns a file the element plays by itself.
            _ => {}
        }
    }

    fn emit_web_video_switch(&mut self) {
        let Some(i) = self.web_video else { return };
        let audio_only = self.config.web_videos.get(i).is_some_and(|f| f.height == 0);
        self.emit(Event::LevelSwitch { level: Some(i), auto: self.choice == LevelChoice::Auto, audio_only });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(heights: &[u32]) -> Vec<WebVideoSource> {
        heights
            .iter()
            .map(|&h| WebVideoSource { url: format!("https://v.example/u-{h}.mp4"), height: h, width: None, label: format!("{h}p"), frame_rate: None })
            .collect()
    }

    #[test]
    fn the_default_is_the_middle_file_with_video() {
        assert_eq!(default_web_video(&files(&[])), 0);
        assert_eq!(default_web_video(&files(&[720])), 0);
        assert_eq!(default_web_video(&files(&[1080, 720, 480, 0])), 1);
        assert_eq!(default_web_video(&files(&[720, 480])), 1);
        assert_eq!(default_web_video(&files(&[0, 0])), 0);
    }

    fn drain(engine: &mut Engine) -> Vec<Output> {
        std::iter::from_fn(|| engine.poll()).collect()
    }

    #[test]
    fn web_videos_only_play_the_default_file_and_switch_keeping_the_time() {
        let config = Config { web_videos: files(&[720, 480, 240, 0]), start_time: Some(12.0), ..Config::default() };
        let mut engine = Engine::new(config, "", 0);
        assert_eq!(engine.next_timeout(), Some(0), "it starts at the first tick");
        assert_eq!(drain(&mut engine), []);
        engine.handle(0, Input::Tick);
        assert_eq!(engine.next_timeout(), None);
        let out = drain(&mut engine);
        assert!(out.iter().all(|o| !matches!(o, Output::Fetch { .. } | Output::SetupMedia { .. })), "no HLS at all: {out:?}");
        assert!(out.contains(&Output::PlayFile { url: "https://v.example/u-480.mp4".into(), time: Some(12.0) }), "{out:?}");
        let heights: Vec<u32> = engine.levels().iter().map(|l| l.height).collect();
        assert_eq!(heights, [720, 480, 240, 0]);
        assert!(engine.levels()[3].audio_only);
        assert_eq!(engine.choice_for_index(3), Some(LevelChoice::Fixed(3)));
        assert_eq!(engine.choice_for_index(4), None);

        engine.handle(100, Input::Playhead(Playhead { time: 42.5, rate: 1.0, ..Playhead::default() }));
        engine.handle(110, Input::SetLevel(LevelChoice::Fixed(0)));
        let out = drain(&mut engine);
        assert!(out.contains(&Output::PlayFile { url: "https://v.example/u-720.mp4".into(), time: Some(42.5) }), "{out:?}");
        assert!(out.contains(&Output::Event(Event::LevelSwitch { level: Some(0), auto: false, audio_only: false })));
        let stats = engine.stats();
        assert_eq!((stats.level, stats.web_video, stats.p2p_enabled), (Some(0), true, false));
        engine.handle(120, Input::SetLevel(LevelChoice::Auto));
        assert!(drain(&mut engine).contains(&Output::PlayFile { url: "https://v.example/u-480.mp4".into(), time: Some(42.5) }));
    }

    #[test]
    fn a_fatal_hls_error_falls_back_to_the_web_video_where_it_stopped() {
        let config = Config { web_videos: files(&[720, 480]), ..Config::default() };
        let mut engine = Engine::new(config, "https://v.example/master.m3u8", 0);
        let Some(Output::Fetch { id, .. }) = engine.poll() else { panic!() };
        drain(&mut engine);
        engine.handle(10, Input::HttpDone { id, body: b"this is not a playlist".as_slice().into() });
        let out = drain(&mut engine);
        let warned = out.iter().any(|o| matches!(o, Output::Event(Event::Error { fatal: false, message, .. }) if message.contains("web video")));
        assert!(warned, "the failure is told, not fatal: {out:?}");
        assert!(out.contains(&Output::PlayFile { url: "https://v.example/u-480.mp4".into(), time: None }), "{out:?}");
        assert!(!out.iter().any(|o| matches!(o, Output::Event(Event::Error { fatal: true, .. }))));
        assert!(engine.stats().web_video);
    }

    #[test]
    fn without_web_videos_a_fatal_error_stays_fatal() {
        let mut engine = Engine::new(Config::default(), "https://v.example/master.m3u8", 0);
        let Some(Output::Fetch { id, .. }) = engine.poll() else { panic!() };
        engine.handle(10, Input::HttpDone { id, body: b"garbage".as_slice().into() });
        assert!(drain(&mut engine).iter().any(|o| matches!(o, Output::Event(Event::Error { fatal: true, .. }))));
    }
}
