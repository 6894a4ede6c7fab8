//! Following the media element: the playhead, eviction, QuotaExceededError,
//! and the viewer's level choices.

use super::*;

/// How far ahead of the playhead a manual level switch can take effect: about
/// the time to fetch the new level's first segment.
const SWITCH_FETCH_DELAY_S: f64 = 1.0;

/// Where a gap jump lands past the start of the data (inside its first frame).
const GAP_JUMP_MARGIN_S: f64 = 0.01;

/// How long to wait before appending again after a QuotaExceededError that no
/// eviction could answer (playback frees room as it moves on).
const QUOTA_RETRY_MS: u64 = 1_000;

impl Engine {
    pub(super) fn on_playhead(&mut self, now_ms: u64, mut p: Playhead) {
        if self.phase != Phase::Playing {
            return;
        }
        p.time += self.loader_time_offset;
        // The element reports its old position until it has carried out our seek.
        // A seek into a live stream before any data is there can also be dropped by
        // the element (nothing is seekable yet): ask again once data is there.
        if let Some(target) = self.pending_seek {
            if (p.time - target).abs() > 0.5 {
                let buffered_at_target = p.buffered.iter().any(|(_, r)| buffered_end(r, target).is_some());
                if buffered_at_target && !p.seeking {
                    self.outputs.push_back(Output::Seek { time: target });
                }
                for (track, ranges) in p.buffered {
                    if let Some(t) = self.track_mut(track) {
                        t.buffered = ranges;
                    }
                }
                return self.schedule(now_ms);
            }
            if p.seeking {
                return;
            }
            self.pending_seek = None;
        }
        let jumped = (p.time - self.playhead.time).abs() > 1.0 || p.seeking;
        let stuck = !p.paused && !p.seeking && p.rate > 0.0 && p.time == self.playhead.time;
        self.playhead = p;
        for i in 0..self.tracks.len() {
            let buffered = self
                .playhead
                .buffered
                .iter()
                .find(|(t, _)| *t == self.tracks[i].track)
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            self.tracks[i].buffered = buffered;
        }
        if jumped {
            self.cancel_useless_downloads();
        }
        if stuck {
            self.jump_small_gap();
        }
        if self.tracks.iter().any(|t| t.held_for_map.is_some()) {
            self.recheck_held_segments(now_ms);
        }
        self.evict_back_buffer();
        self.schedule(now_ms);
    }

    /// The playhead sits still in a hole smaller than `MAX_HOLE` just before
    /// buffered data (an eviction that cut into a segment, then a seek back into
    /// the cut; media whose tracks start a little apart): the engine counts that
    /// as buffered, and the element would wait there for ever. Step over it, as
    /// hls.js's gap controller does.
    fn jump_small_gap(&mut self) {
        let time = self.playhead.time;
        let mut target = time;
        for (_, ranges) in &self.playhead.buffered {
            if ranges.iter().any(|r| r.start <= time && time < r.end) {
                continue;
            }
            match ranges.iter().map(|r| r.start).filter(|s| *s > time && *s - time <= buffer::MAX_HOLE).min_by(f64::total_cmp) {
                Some(start) => target = target.max(start),
                // A real hole on some track: loading will fill it.
                None => return,
            }
        }
        if target > time {
            self.outputs.push_back(Output::Seek { time: target + GAP_JUMP_MARGIN_S });
        }
    }

    /// After a seek, a download for a segment far from the new position only delays
    /// the one that is needed.
    pub(super) fn cancel_useless_downloads(&mut self) {
        let pos = self.playhead.time;
        let goal = self.config.forward_buffer_s;
        let useless: Vec<RequestId> = self
            .requests
            .active
            .iter()
            .filter_map(|(id, r)| match &r.purpose {
                Purpose::Segment { segment, .. } if segment.end() < pos - 0.5 || segment.start > pos + goal => Some(*id),
                _ => None,
            })
            .collect();
        for id in useless {
            self.cancel(id);
        }
        let pos = self.playhead.time;
        self.requests.waiting.retain(|w| match &w.purpose {
            Purpose::Segment { segment, .. } => !(segment.end() < pos - 0.5 || segment.start > pos + goal),
            _ => true,
        });
    }

    pub(super) fn evict_back_buffer(&mut self) {
        let pos = self.playhead.time;
        let keep = self.config.back_buffer_s;
        // Hysteresis: evict in chunks of at least 10 s, not at every timeupdate.
        let due: Vec<Track> = self
            .tracks
            .iter()
            .filter(|t| !t.removing && buffer::buffered_start(&t.buffered).is_some_and(|s| s < pos - keep - 10.0))
            .map(|t| t.track)
            .collect();
        for track in due {
            self.remove(track, 0.0, pos - keep);
        }
    }

    pub(super) fn on_remove_done(&mut self, now_ms: u64, track: Track, buffered: Vec<TimeRange>) {
        if let Some(t) = self.track_mut(track) {
            t.removing = false;
            t.buffered = buffered;
        }
        self.release_held_appends(track);
        self.schedule(now_ms);
    }

    pub(super) fn on_append_failed(&mut self, now_ms: u64, track: Track, quota: bool, reason: String) {
        if !quota {
            return self.fail(ErrorKind::Media, format!("the {} SourceBuffer refused a segment: {reason}", track.as_str()));
        }
        // QuotaExceededError: the browser's buffer is full. Keep the bytes, make
        // room behind the playhead and append again; with little behind, keep less
        // ahead and try again once playback has made room.
        let pos = self.playhead.time;
        let keep_behind = (self.config.back_buffer_s / 3.0).min(10.0);
        let Some(t) = self.track_mut(track) else { return };
        t.held_for_quota = true;
        let behind = buffer::buffered_start(&t.buffered).is_some_and(|s| s < pos - keep_behind - 1.0);
        if behind && !t.removing {
            self.remove(track, 0.0, pos - keep_behind);
        } else {
            self.config.forward_buffer_s = (self.config.forward_buffer_s * 0.7).max(8.0);
            self.quota_retry_at = Some(now_ms + QUOTA_RETRY_MS);
        }
    }

    /// Append again what a QuotaExceededError held back.
    pub(super) fn release_held_appends(&mut self, track: Track) {
        let mut replay = Vec::new();
        if let Some(t) = self.track_mut(track) {
            if t.held_for_quota {
                t.held_for_quota = false;
                replay = t.unconfirmed.drain(..).collect();
            }
        }
        for a in replay {
            self.append(track, a.data, a.timestamp_offset);
        }
    }

    pub(super) fn on_set_level(&mut self, now_ms: u64, choice: LevelChoice) {
        if self.levels.is_empty() {
            self.choice = choice;
            return;
        }
        let was_audio_only = self.choice == LevelChoice::AudioOnly;
        match choice {
            LevelChoice::Fixed(i) if i >= self.levels.len() => return,
            LevelChoice::AudioOnly if self.audio.is_none() => return,
            _ => {}
        }
        self.choice = choice;
        let now_audio_only = choice == LevelChoice::AudioOnly;
        if was_audio_only != now_audio_only {
            // Going to or from "audio only" changes the set of SourceBuffers: start a
            // new MediaSource at the same time.
            if !now_audio_only {
                self.level = match choice {
                    LevelChoice::Fixed(i) => i,
                    _ => self.auto_level(),
                };
            }
            self.pending_seek = Some(self.playhead.time);
            self.phase = Phase::Preparing;
            self.sniffed_codecs.clear();
            return self.advance(now_ms);
        }
        let target = match choice {
            LevelChoice::Fixed(i) => i,
            _ => self.auto_level(),
        };
        if target != self.level {
            let from = self.level;
            self.level = target;
            self.flush_ahead_for_switch(from);
        }
        self.emit_level_switch();
        self.schedule(now_ms);
    }

    /// A manual switch should show quickly: keep what plays in the next second or
    /// so (while the new level's first segment loads), drop the old level's buffer
    /// after it, and load the new level from there.
    ///
    /// As hls.js does, the flush starts a quarter into the segment after the one
    /// kept, not at its boundary: the new level's segment is appended over that
    /// overlap, and removing exactly at a keyframe boundary can leave Chromium's
    /// decoder waiting for frames that were removed.
    pub(super) fn flush_ahead_for_switch(&mut self, from: usize) {
        let pos = self.playhead.time;
        let Some(playlist) = self.levels.get(from).and_then(|l| l.playlist.as_ref()) else { return };
        let containing = |t: f64| playlist.segments.iter().position(|s| s.start <= t && t < s.end());
        let Some(i) = containing(pos + SWITCH_FETCH_DELAY_S).or_else(|| containing(pos)) else { return };
        let current = playlist.segments[i].clone();
        let Some(next) = playlist.segments.get(i + 1).cloned() else { return };
        let in_flight = self.track_mut(Track::Main).and_then(|t| t.in_flight);
        if let Some(id) = in_flight {
            self.cancel(id);
        }
        let Some(t) = self.track_mut(Track::Main) else { return };
        if t.removing {
            return;
        }
        t.last_appended = Some(Appended::after(None, &current));
        self.remove(Track::Main, next.start + next.duration * 0.25, f64::INFINITY);
    }
}
