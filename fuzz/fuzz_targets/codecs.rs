//! Fuzzes the init-segment reader (src/codecs.rs): the input as an fMP4 init segment
//! through `codecs_from_init` (what the engine does when a playlist has no CODECS),
//! then the codecs found, and the input as a CODECS attribute, through `split_codecs`
//! and `mp4_mime` (how the engine sets up its SourceBuffers).
//!
//! Invariants: nothing panics; the codecs string is shorter than the input (each
//! codec needs a box tree of several boxes); splitting keeps every codec, video ones
//! on the video side.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::codecs::{codecs_from_init, is_video_codec, mp4_mime, split_codecs};

fuzz_target!(|data: &[u8]| {
    if let Some(codecs) = codecs_from_init(data) {
        assert!(codecs.len() < data.len(), "{codecs:?} from {} bytes", data.len());
        split(&codecs);
    }
    split(&String::from_utf8_lossy(data));
});

fn split(codecs: &str) {
    let (video, audio) = split_codecs(codecs);
    let list = |s: &str| s.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let (video, audio) = (list(&video), list(&audio));
    assert_eq!(video.len() + audio.len(), list(codecs).len());
    assert!(video.iter().all(|c| is_video_codec(c)) && !audio.iter().any(|c| is_video_codec(c)));
    mp4_mime(&video.join(","), true);
    mp4_mime(&audio.join(","), false);
}
