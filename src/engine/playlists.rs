//! Loading playlists: the master and its ladder, media playlists, live refreshes.

use super::*;

/// How soon a live playlist refresh that could not be parsed is tried again.
const BAD_REFRESH_RETRY_MS: u64 = 1_000;

impl Engine {
    /// A media playlist, or `None` once the failure is handled: fatal on a first
    /// load; on a refresh of a live playlist, a warning (the caller retries soon,
    /// and playback goes on with what it has).
    pub(super) fn parse_media(&mut self, body: &[u8], url: &str, is_refresh: bool) -> Option<MediaPlaylist> {
        let message = match parse_playlist(&String::from_utf8_lossy(body), url) {
            Ok(Playlist::Media(m)) => return Some(m),
            Ok(Playlist::Master(_)) => format!("{url}: a master playlist where a media playlist was expected"),
            Err(e) => format!("{url}: {e}"),
        };
        if is_refresh {
            self.emit(Event::Error { kind: ErrorKind::Playlist, fatal: false, message });
        } else {
            self.fail(ErrorKind::Playlist, message);
        }
        None
    }

    pub(super) fn parse(&mut self, body: &[u8], url: &str) -> Option<Playlist> {
        let text = String::from_utf8_lossy(body);
        match parse_playlist(&text, url) {
            Ok(p) => Some(p),
            Err(e) => {
                self.fail(ErrorKind::Playlist, format!("{url}: {e}"));
                None
            }
        }
    }

    pub(super) fn on_master(&mut self, now_ms: u64, body: &[u8]) {
        let url = self.url.clone();
        match self.parse(body, &url) {
            Some(Playlist::Master(master)) => {
                let (levels, audio) = ladder(&master);
                if levels.is_empty() {
                    return self.fail(ErrorKind::Playlist, format!("{url}: the master playlist lists no playable variant"));
                }
                self.levels = levels;
                self.audio = audio;
                self.info_hashes.clear();
                self.captions = super::caption_tracks(&master);
                if let LevelChoice::Fixed(i) = self.choice {
                    if i >= self.levels.len() {
                        self.choice = LevelChoice::Auto;
                    }
                }
                if self.choice == LevelChoice::AudioOnly && self.audio.is_none() {
                    self.choice = LevelChoice::Auto;
                }
                self.level = match self.choice {
                    LevelChoice::Fixed(i) => i,
                    _ => self.auto_level(),
                };
                self.emit(Event::Levels { levels: self.levels() });
                self.phase = Phase::Preparing;
                self.advance(now_ms);
            }
            Some(Playlist::Media(media)) => {
                self.levels = vec![single_level(&url, media)];
                self.info_hashes.clear();
                self.emit(Event::Levels { levels: self.levels() });
                self.after_playlist_update(now_ms, 0, true);
                self.phase = Phase::Preparing;
                self.advance(now_ms);
            }
            None => {}
        }
    }

    pub(super) fn auto_level(&self) -> usize {
        let bandwidths: Vec<u64> = self.levels.iter().map(|l| l.info.bandwidth).collect();
        let current = (self.phase == Phase::Playing).then_some(self.level);
        choose_level(&bandwidths, current, self.bandwidth.bps())
    }

    pub(super) fn request_level_playlist(&mut self, level: usize, now_ms: u64, refresh: bool) {
        let Some(l) = self.levels.get_mut(level) else { return };
        if l.requested && !refresh {
            return;
        }
        l.requested = true;
        let resource = Resource { url: l.url.clone(), range: None };
        self.fetch(Purpose::LevelPlaylist { level }, resource, Vec::new(), 0, now_ms);
    }

    pub(super) fn request_audio_playlist(&mut self, now_ms: u64, refresh: bool) {
        let Some(a) = self.audio.as_mut() else { return };
        if a.requested && !refresh {
            return;
        }
        a.requested = true;
        let resource = Resource { url: a.url.clone(), range: None };
        self.fetch(Purpose::AudioPlaylist, resource, Vec::new(), 0, now_ms);
    }

    pub(super) fn on_level_playlist(&mut self, now_ms: u64, level: usize, body: &[u8]) {
        let url = self.levels[level].url.clone();
        let is_refresh = self.levels[level].playlist.is_some();
        let Some(media) = self.parse_media(body, &url, is_refresh) else {
            if is_refresh {
                self.live_reload_at = Some(now_ms + BAD_REFRESH_RETRY_MS);
            }
            return;
        };
        // Align on the playlist now playing (this level's last version, or the
        // level we are switching from) so the timeline stays one.
        let previous = self.levels[level].playlist.take().or_else(|| self.levels.get(self.level).and_then(|l| l.playlist.clone()));
        let changed = has_new_segments(previous.as_ref(), &media);
        let merged = if media.is_live() || previous.as_ref().is_some_and(|p| p.is_live()) { merge_live(previous.as_ref(), media) } else { media };
        self.levels[level].playlist = Some(merged);
        self.after_playlist_update(now_ms, level, changed);
        self.advance(now_ms);
    }

    pub(super) fn after_playlist_update(&mut self, now_ms: u64, level: usize, changed: bool) {
        let Some(live) = self.levels[level].playlist.as_ref().map(|p| p.is_live()) else { return };
        if self.stats.live && !live && level == self.level {
            // EXT-X-ENDLIST on a live: it has ended; play what is left, then stop.
            self.emit(Event::LiveEnded { gone: false });
        }
        let Some(p) = self.levels[level].playlist.as_ref() else { return };
        self.stats.live = p.is_live();
        if p.is_live() {
            let edge = p.segments.last().map_or(0.0, |s| s.end());
            let window_start = p.segments.first().map_or(0.0, |s| s.start);
            self.stats.live_edge = Some(edge);
            if level == self.level {
                self.live_reload_at = Some(now_ms + reload_delay_ms(p, changed));
            }
            self.emit(Event::LiveUpdate { edge, window_start });
            self.announce_live_window();
        } else if level == self.level {
            self.live_reload_at = None;
        }
    }

    pub(super) fn on_audio_playlist(&mut self, now_ms: u64, body: &[u8]) {
        let Some(url) = self.audio.as_ref().map(|a| a.url.clone()) else { return };
        let is_refresh = self.audio.as_ref().is_some_and(|a| a.playlist.is_some());
        let Some(media) = self.parse_media(body, &url, is_refresh) else {
            if is_refresh {
                self.audio_reload_at = Some(now_ms + BAD_REFRESH_RETRY_MS);
            }
            return;
        };
        let audio = self.audio.as_mut().expect("checked above");
        let previous = audio.playlist.take();
        let changed = has_new_segments(previous.as_ref(), &media);
        let merged = if media.is_live() { merge_live(previous.as_ref(), media) } else { media };
        self.audio_reload_at = merged.is_live().then(|| now_ms + reload_delay_ms(&merged, changed));
        audio.playlist = Some(merged);
        self.advance(now_ms);
    }
}

/// A live playlist answering these after it played: the live has ended (PeerTube
/// deletes a live's files when it stops).
pub(super) fn means_live_ended(status: Option<u16>) -> bool {
    matches!(status, Some(404 | 410))
}

impl Engine {
    /// A playing live's playlist is gone: the live ended. No more refreshes or
    /// retries; what is buffered plays out, then the stream ends, not an error.
    pub(super) fn live_gone(&mut self, now_ms: u64) {
        for level in &mut self.levels {
            if let Some(p) = level.playlist.as_mut() {
                p.endlist = true;
            }
        }
        if let Some(p) = self.audio.as_mut().and_then(|a| a.playlist.as_mut()) {
            p.endlist = true;
        }
        self.live_reload_at = None;
        self.audio_reload_at = None;
        self.stats.live = false;
        self.emit(Event::LiveEnded { gone: true });
        self.schedule(now_ms);
    }
}
