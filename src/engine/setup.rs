//! Preparing the media: which tracks, their playlists and codecs (from CODECS,
//! an init segment, or an MPEG-TS segment), the MediaSource, where playback starts.

use super::*;

impl Engine {
    pub(super) fn wanted_tracks(&self) -> Vec<Track> {
        match (self.choice, &self.audio) {
            (LevelChoice::AudioOnly, Some(_)) => vec![Track::Audio],
            (_, Some(_)) => vec![Track::Main, Track::Audio],
            (_, None) => vec![Track::Main],
        }
    }

    pub(super) fn playlist_for(&self, track: Track) -> Option<&MediaPlaylist> {
        match track {
            Track::Main => self.levels.get(self.level)?.playlist.as_ref(),
            Track::Audio => self.audio.as_ref()?.playlist.as_ref(),
        }
    }

    /// Codecs for a track: from `CODECS`, else from its init segment.
    pub(super) fn codecs_for(&self, track: Track) -> Option<String> {
        let declared = match track {
            Track::Main => self.levels.get(self.level).and_then(|l| l.info.codecs.clone()).map(|c| {
                if self.audio.is_some() {
                    split_codecs(&c).0
                } else {
                    c
                }
            }),
            Track::Audio => self.audio.as_ref().and_then(|a| a.codecs.clone()),
        };
        declared.filter(|c| !c.is_empty()).or_else(|| self.sniffed_codecs.get(&track).cloned())
    }

    /// Move through the set-up steps as far as what has loaded allows, then schedule.
    pub(super) fn advance(&mut self, now_ms: u64) {
        if self.phase == Phase::Preparing {
            let mut ready = true;
            for track in self.wanted_tracks() {
                if self.playlist_for(track).is_none() {
                    ready = false;
                    match track {
                        Track::Main => self.request_level_playlist(self.level, now_ms, false),
                        Track::Audio => self.request_audio_playlist(now_ms, false),
                    }
                    continue;
                }
                // The other player reads codecs itself in loader mode.
                if !self.config.loader_mode && self.codecs_for(track).is_none() && !self.sniff_codecs(track, now_ms) {
                    ready = false;
                }
                // No SourceBuffer before a TS stream's remuxer is there.
                if !self.config.loader_mode && self.playlist_for(track).is_some_and(has_ts_segments) && self.ts_remuxers().is_none() {
                    ready = false;
                }
            }
            if ready && self.config.loader_mode {
                self.start_loading();
            } else if ready {
                self.setup_media();
            }
        }
        if self.config.loader_mode {
            self.match_loads(now_ms);
        }
        self.schedule(now_ms);
    }

    /// Read a track's codecs from its init segment, or from the first MPEG-TS
    /// segment it will play when it has no `EXT-X-MAP`; false while that loads.
    pub(super) fn sniff_codecs(&mut self, track: Track, now_ms: u64) -> bool {
        let Some(playlist) = self.playlist_for(track) else { return false };
        let ts = has_ts_segments(playlist);
        let sample = if ts {
            // The segment playback starts with: no byte fetched for nothing.
            let at = self.initial_position().unwrap_or(0.0);
            playlist.segments.iter().find(|s| s.end() > at).or(playlist.segments.last()).map(|s| s.resource.clone())
        } else {
            playlist.segments.first().and_then(|s| s.init.clone())
        };
        let Some(sample) = sample else {
            let url = playlist.url.clone();
            self.fail(ErrorKind::Playlist, format!("{url}: no segment to read the codecs from"));
            return false;
        };
        match self.init_cache.get(&resource_key(&sample)).cloned() {
            Some(bytes) => {
                let read = if ts {
                    // The segment is in; its codecs once the remuxer is too.
                    let Some(remuxers) = self.ts_remuxers() else { return false };
                    remuxers.probe(&bytes).map(|p| p.codecs).map_err(|e| e.to_string())
                } else {
                    codecs_from_init(&bytes).ok_or_else(|| "could not read the codecs of the init segment".to_string())
                };
                match read {
                    Ok(codecs) => {
                        let codecs = match (track, self.audio.is_some()) {
                            (Track::Main, true) => split_codecs(&codecs).0,
                            _ => codecs,
                        };
                        self.sniffed_codecs.insert(track, codecs);
                        true
                    }
                    Err(e) => {
                        let kind = if ts && !e.contains("unsupported") { ErrorKind::Media } else { ErrorKind::Unsupported };
                        self.fail(kind, format!("{}: {e}", sample.url));
                        false
                    }
                }
            }
            None => {
                if !self.requests.http_in_flight_for(track) {
                    self.fetch(Purpose::Init { track }, sample, Vec::new(), 0, now_ms);
                }
                false
            }
        }
    }

    pub(super) fn setup_media(&mut self) {
        let wanted = self.wanted_tracks();
        let mut tracks = Vec::new();
        for track in &wanted {
            let codecs = self.codecs_for(*track).unwrap_or_default();
            let has_video = *track == Track::Main && !split_codecs(&codecs).0.is_empty();
            tracks.push((*track, mp4_mime(&codecs, has_video || (*track == Track::Main && codecs.is_empty()))));
        }
        let main = self.playlist_for(wanted[0]);
        let live = main.is_some_and(|p| p.is_live());
        let duration = if live { None } else { main.map(|p| p.total_duration()) };
        // Cancel what the old tracks were loading: a new MediaSource starts empty.
        let stale: Vec<RequestId> = self.tracks.iter().filter_map(|t| t.in_flight).collect();
        for id in stale {
            self.cancel(id);
        }
        self.tracks = wanted.iter().map(|t| TrackState::new(*t)).collect();
        self.end_of_stream_sent = false;
        self.phase = Phase::SettingUpMedia;
        self.sequence_mode = live;
        self.outputs.push_back(Output::SetupMedia { tracks, duration, sequence_mode: live });
    }

    pub(super) fn on_media_ready(&mut self, now_ms: u64) {
        if self.phase != Phase::SettingUpMedia {
            return;
        }
        self.phase = Phase::Playing;
        // Until the element reports this position, loading works from it and
        // playhead reports from before the seek are ignored.
        self.pending_seek = self.pending_seek.or_else(|| self.initial_position());
        self.announce_live_window();
        if let Some(t) = self.pending_seek {
            self.playhead.time = t;
            self.outputs.push_back(Output::Seek { time: t });
        }
        self.emit_level_switch();
        self.schedule(now_ms);
    }

    /// Where playback starts: the live sync point, or the configured start time.
    pub(super) fn initial_position(&self) -> Option<f64> {
        let p = self.playlist_for(*self.wanted_tracks().first()?)?;
        if p.is_live() {
            let n = p.segments.len();
            let i = n.saturating_sub(self.config.live_sync_segments.max(1));
            p.segments.get(i).map(|s| s.start)
        } else {
            self.config.start_time.filter(|t| *t > 0.0)
        }
    }

    pub(super) fn announce_live_window(&mut self) {
        if self.phase != Phase::Playing {
            return;
        }
        let Some(p) = self.tracks.first().and_then(|t| self.playlist_for(t.track)) else { return };
        if let (true, Some(first), Some(last)) = (p.is_live(), p.segments.first(), p.segments.last()) {
            let (start, end) = (first.start, last.end());
            self.outputs.push_back(Output::LiveSeekableRange { start, end });
        }
    }

    pub(super) fn emit_level_switch(&mut self) {
        let audio_only = self.choice == LevelChoice::AudioOnly;
        let level = (!audio_only).then_some(self.level);
        self.emit(Event::LevelSwitch { level, auto: self.choice == LevelChoice::Auto, audio_only });
    }
}

/// No `EXT-X-MAP`: MPEG-TS segments (RFC 8216 §3.2), which MediaSource cannot take.
fn has_ts_segments(playlist: &MediaPlaylist) -> bool {
    playlist.segments.first().is_some_and(|s| s.init.is_none())
}
