//! What the sample media is: fixed names (PeerTube's layout, fixed UUIDs so URLs
//! are stable), sizes, bitrates and encoder settings.

/// Written to `<out>/.complete` when generation succeeds; a different string
/// (any change below) makes the next run regenerate.
pub const GENERATOR_VERSION: &str =
    "tubeswarm-samples 4: vod 180s 240/480/720p+audio superfast + web videos, live TS 240s 360p/240p, storyboard 2s 160x90 10x9";

/// The VOD video's UUID (`<uuid>-master.m3u8`, `<uuid>-segments-sha256.json`).
pub const VIDEO_UUID: &str = "9c9de5e8-0a1e-484a-b099-e80766180a6d";
/// The split audio rendition's file UUID (PeerTube: one UUID per file).
pub const AUDIO_FILE_UUID: &str = "7f2e4d6c-8b0a-4c1e-a3f5-9d7b5e3c1a90";

pub const VOD_DURATION_S: u64 = 180;
/// The VOD's tone lasts 8436 AAC frames (179.968 s): with the encoder's priming
/// frame the audio ends at 179.989 s, in 45 segments. A full 180 s leaves a
/// 21 ms 46th segment whose bitrate (container overhead over 0.02 s) would
/// inflate the measured peak BANDWIDTH.
pub const AUDIO_SOURCE_DURATION: &str = "179.968";
pub const LIVE_DURATION_S: u64 = 240;
pub const SEGMENT_S: u64 = 4;
pub const FPS: u32 = 25;
/// A keyframe every 2 s.
pub const GOP: u32 = 50;
/// x264 preset. `veryfast` took 83 s for the VOD run on this 2-core machine
/// (shared with other builds), over the ~60 s budget; `superfast` takes about half.
pub const PRESET: &str = "superfast";
/// H.264 main profile level 3.1 and AAC-LC.
pub const CODECS: &str = "avc1.4d401f,mp4a.40.2";
pub const AUDIO_BITRATE: u32 = 96;

/// The live's renditions (PeerTube transcodes a live to several, audio in each):
/// (width, height, video kbit/s), in the master's order (`%v` = 0, 1).
pub const LIVE_RENDITIONS: &[(u32, u32, u32)] = &[(640, 360, 700), (426, 240, 300)];
/// Where the recording goes, and ffmpeg's master playlist name in it.
pub const LIVE_SOURCE_DIR: &str = crate::live::SOURCE_DIR;
pub const LIVE_MASTER: &str = "master.m3u8";

/// One video rendition of the VOD.
#[derive(Debug, Clone, Copy)]
pub struct VideoRendition {
    pub width: u32,
    pub height: u32,
    pub bitrate_k: u32,
    pub file_uuid: &'static str,
}

impl VideoRendition {
    /// `<fileUUID>-<res>.m3u8`
    pub fn playlist(&self) -> String {
        format!("{}-{}.m3u8", self.file_uuid, self.height)
    }
    /// `<fileUUID>-<res>-fragmented.mp4`
    pub fn file(&self) -> String {
        format!("{}-{}-fragmented.mp4", self.file_uuid, self.height)
    }
    /// The split audio rendition's (playlist, file): resolution `0`.
    pub fn audio_names(file_uuid: &str) -> (String, String) {
        (
            format!("{file_uuid}-0.m3u8"),
            format!("{file_uuid}-0-fragmented.mp4"),
        )
    }
}

pub const VIDEO_RENDITIONS: &[VideoRendition] = &[
    VideoRendition {
        width: 426,
        height: 240,
        bitrate_k: 300,
        file_uuid: "1d6c8f0e-3b2a-4f5c-9e7d-2a4b6c8d0e12",
    },
    VideoRendition {
        width: 854,
        height: 480,
        bitrate_k: 800,
        file_uuid: "5e7f9a1b-2c3d-4e5f-8a9b-0c1d2e3f4a56",
    },
    VideoRendition {
        width: 1280,
        height: 720,
        bitrate_k: 1800,
        file_uuid: "a3b5c7d9-e1f2-4a3b-9c5d-7e9f1a3b5c78",
    },
];

/// The storyboard sprite sheet: one tile every `sprite_duration` seconds.
#[derive(Debug, Clone, Copy)]
pub struct StoryboardLayout {
    pub file: &'static str,
    pub sprite_width: u32,
    pub sprite_height: u32,
    pub sprite_duration: u32,
    pub columns: u32,
    pub rows: u32,
}

/// 90 tiles of 2 s cover the 180 s.
pub const STORYBOARD: StoryboardLayout = StoryboardLayout {
    file: "storyboard.jpg",
    sprite_width: 160,
    sprite_height: 90,
    sprite_duration: 2,
    columns: 10,
    rows: 9,
};

pub const CAPTIONS_VTT: &str = "captions-en.vtt";
pub const CAPTIONS_PLAYLIST: &str = "captions-en.m3u8";
pub const CAPTION_EVERY_S: u64 = 5;
pub const CHAPTERS_FILE: &str = "chapters.json";
pub const STORYBOARDS_FILE: &str = "storyboards.json";
pub const CORRUPT_FILE: &str = "corrupt.m3u8";

pub const CHAPTERS: &[(u64, &str)] = &[
    (0, "Opening"),
    (30, "Colour bars"),
    (64, "Counting up"),
    (90, "Halfway there"),
    (124, "Beeps and boxes"),
    (160, "Closing"),
];

pub fn master_name() -> String {
    format!("{VIDEO_UUID}-master.m3u8")
}

/// The web videos' folder and names (`<videoUUID>-<res>.mp4`).
pub const WEB_DIR: &str = "web";

pub fn web_video_name(height: u32) -> String {
    format!("{VIDEO_UUID}-{height}.mp4")
}

pub fn hashes_name() -> String {
    format!("{VIDEO_UUID}-segments-sha256.json")
}
