//! What goes into the SourceBuffers: init segments when they change, media
//! segments (MPEG-TS remuxed to fragmented MP4 first), and the end of stream.

use super::*;

impl Engine {
    /// Append a segment (after its init segment when that changed); false when
    /// the init must be fetched again first.
    pub(super) fn append_segment(&mut self, now_ms: u64, track: Track, segment: &Segment, body: Arc<[u8]>) -> bool {
        let sequence_mode = self.sequence_mode;
        if segment.init.is_none() {
            // No EXT-X-MAP: MPEG-TS (RFC 8216 §3.2), which MediaSource cannot take.
            return self.append_ts(track, segment, &body, sequence_mode);
        }
        if let Some(init) = segment.init.clone() {
            let appended = self.track_mut(track).and_then(|t| t.init_appended.clone());
            if appended.as_ref() != Some(&init) {
                let Some(bytes) = self.init_cache.get(&resource_key(&init)).cloned() else {
                    // The init was evicted from the cache meanwhile: fetch it, then the segment again.
                    self.schedule(now_ms);
                    return false;
                };
                self.append(track, bytes, None);
                if let Some(t) = self.track_mut(track) {
                    t.init_appended = Some(init);
                }
            }
        }
        let offset = sequence_mode.then_some(segment.start);
        self.append(track, body, offset);
        if let Some(t) = self.track_mut(track) {
            t.last_appended = Some(Appended::after(t.last_appended.as_ref(), segment));
        }
        true
    }

    pub(super) fn append(&mut self, track: Track, data: Arc<[u8]>, timestamp_offset: Option<f64>) {
        self.end_of_stream_sent = false;
        if let Some(t) = self.track_mut(track) {
            t.unconfirmed.push_back(UnconfirmedAppend { data: data.clone(), timestamp_offset });
            // After a QuotaExceededError the refused append waits at the front of
            // `unconfirmed`; this one waits behind it, in order, for the replay
            // (playback.rs). Sent now, its AppendDone would confirm the refused one
            // and the replay would skip it: a hole at the playhead (chaos test).
            if t.held_for_quota {
                return;
            }
        }
        self.outputs.push_back(Output::Append { track, data, timestamp_offset });
    }

    pub(super) fn maybe_end_of_stream(&mut self) {
        if self.end_of_stream_sent || self.tracks.is_empty() {
            return;
        }
        if self.tracks.iter().all(|t| t.complete && t.unconfirmed.is_empty() && t.in_flight.is_none() && !t.removing) {
            self.end_of_stream_sent = true;
            self.outputs.push_back(Output::EndOfStream);
        }
    }

    /// Remux an MPEG-TS segment (already verified: peers get the TS itself, as
    /// p2p-media-loader's do) and append its init segment when it changed, then
    /// its fragment. False when nothing could be appended.
    fn append_ts(&mut self, track: Track, segment: &Segment, body: &[u8], sequence_mode: bool) -> bool {
        // Set-up waits for the remuxer of a TS stream; this is a stream that
        // turned to TS later: load it, and this segment again once it is there.
        if self.track_mut(track).is_some_and(|t| t.remuxer.is_none()) {
            let Some(remuxers) = self.ts_remuxers() else { return false };
            let fresh = remuxers.remuxer();
            if let Some(t) = self.track_mut(track) {
                t.remuxer = Some(fresh);
            }
        }
        let Some(t) = self.track_mut(track) else { return false };
        let contiguous = t.last_appended.as_ref().is_some_and(|a| a.sequence + 1 == segment.sequence)
            && t.ts_discontinuity == Some(segment.discontinuity_sequence);
        let info = SegmentInfo { start: segment.start, discontinuity_sequence: segment.discontinuity_sequence, contiguous };
        let Some(remuxer) = t.remuxer.as_mut() else { return false };
        let result = remuxer.remux(body, info);
        let url = &segment.resource.url;
        let out = match result {
            Ok(out) => out,
            Err(RemuxError::UnsupportedCodec(codec)) => {
                self.fail(ErrorKind::Unsupported, format!("{url}: {codec} is not supported (MPEG-TS with H.264 video and AAC or MP3 audio is)"));
                return false;
            }
            Err(e) => {
                // Verified bytes that hold nothing playable: say so and go on
                // with the next segment rather than stall on this one.
                self.emit(Event::Error { kind: ErrorKind::Media, fatal: false, message: format!("{url}: {e}; skipped") });
                if let Some(t) = self.track_mut(track) {
                    t.last_appended = Some(Appended::after(t.last_appended.as_ref(), segment));
                }
                return false;
            }
        };
        if !out.warnings.is_empty() {
            let message = format!("{url}: {}", out.warnings.join("; "));
            self.emit(Event::Error { kind: ErrorKind::Media, fatal: false, message });
        }
        let Some(t) = self.track_mut(track) else { return false };
        let new_init = t.ts_init.as_ref().is_none_or(|i| !Arc::ptr_eq(i, &out.init));
        t.ts_init = Some(out.init.clone());
        t.ts_discontinuity = Some(segment.discontinuity_sequence);
        if new_init {
            self.append(track, out.init, None);
        }
        self.append(track, out.media.into(), sequence_mode.then_some(segment.start));
        if let Some(t) = self.track_mut(track) {
            t.last_appended = Some(Appended::after(t.last_appended.as_ref(), segment));
        }
        true
    }
}
