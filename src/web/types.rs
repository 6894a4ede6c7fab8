//! TypeScript types of the JS API, added to the `.d.ts` wasm-bindgen writes.
//! They describe what serde gives JS (camelCase) for `PlayerOptions`,
//! `Stats`, `LevelInfo`, `CaptionTrack` and the engine's `Event`s; the npm
//! package test type-checks a program against them.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `Player.create`. Only `src` is required. */
export interface PlayerOptions {
  /** The master (or media) playlist URL; a plain `.mp4` URL plays as a web video
   * (and "" with `webVideos` plays those alone). */
  src: string;
  /** Plain MP4 files, one per resolution (PeerTube's web videos), highest first:
   * played when there is no playlist, and when HLS fails for good. */
  webVideos?: WebVideo[];
  /** A password-protected video's password, sent to the instance's origin only. */
  videoPassword?: string;
  /** The viewer's access token (`Authorization: Bearer`), instance's origin only. */
  authToken?: string;
  /** A video file token (`POST /api/v1/videos/{id}/token`), added to web video URLs. */
  videoFileToken?: string;
  /** The origin credentials go to (default: `src`'s). */
  credentialsOrigin?: string;
  /** Base URLs holding the same segment files (PeerTube's redundancies). */
  mirrors?: string[];
  /** PeerTube's segments-sha256.json: every segment is verified before it is played or shared. */
  segmentsSha256Url?: string;
  /** WebTorrent tracker URLs (wss://…); none: no peer-to-peer. */
  trackers?: string[];
  /** Peer-to-peer on (default true, with trackers and a hash map). */
  p2p?: boolean;
  /** Share with peers (default true; false is "consume only"). */
  upload?: boolean;
  iceServers?: RTCIceServer[];
  /** Swarm id (default: the master URL without its query). */
  swarmId?: string;
  maxPeers?: number;
  /** Upload at most this many bits per second. */
  uploadLimit?: number;
  /** Bytes of verified segments kept for peers. */
  storeBytes?: number;
  /** Seconds kept ahead of and behind the playhead. */
  forwardBuffer?: number;
  backBuffer?: number;
  /** A level index to start on (-1: automatic). */
  startLevel?: number;
  /** Seconds (VOD). */
  startTime?: number;
  /** Milliseconds before a request is abandoned and retried. */
  requestTimeout?: number;
  maxRetries?: number;
  /** p2p-media-loader's info_hash form: "2.3" (default) or "2.2" (PeerTube 7.1–8). */
  infoHashVersion?: "2.2" | "2.3";
  /** P2P cannot work for this page's viewers (a browser without WebRTC is detected by itself). */
  p2pUnavailable?: P2pUnavailable;
  /** Live: "high" plays further behind the edge (more P2P), "small" closer (P2P off). */
  latencyMode?: "default" | "high" | "small";
  /** Another player (hls.js) owns the video and calls `load()`; see `tubeswarm/hlsjs`. */
  loaderMode?: boolean;
  /** Play peers' segments with no hash map to check them (off by default). */
  p2pWithoutHashes?: boolean;
}

/** A web video: one plain MP4. */
export interface WebVideo {
  url: string;
  /** The resolution's height; 0 for audio only. */
  height: number;
  width?: number;
  label?: string;
  fps?: number;
}

/** One entry of `player.levels()`: video levels, then "Audio only" when the stream has separate audio. */
export interface LevelInfo {
  index: number;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string | null;
  /** "720p", or "Audio only". */
  label: string;
  audioOnly: boolean;
  /** `FRAME-RATE`, when the master gives it. */
  frameRate: number | null;
}

/** One entry of `await player.captions()`. */
export interface CaptionFile {
  name: string;
  language: string | null;
  playlistUrl: string;
  default: boolean;
  autoselect: boolean;
  /** The WebVTT file (PeerTube has one per caption). */
  url: string | null;
  urls: string[];
}

export interface PeerStats {
  peerId: string;
  downloadedBytes: number;
  uploadedBytes: number;
  throughputBps: number;
}

/** `player.stats()`. */
export interface PlayerStats {
  httpDownloadedBytes: number;
  p2pDownloadedBytes: number;
  p2pUploadedBytes: number;
  /** Peer transfers moved to a quicker peer for being too slow (that peer sent the rest). */
  p2pMovedRequests: number;
  /** Bytes of verified segments kept for the player and peers (bounded by storeBytes). */
  storeUsedBytes: number;
  peers: number;
  segmentsLoaded: number;
  /** Segments whose SHA-256 matched the published map. */
  segmentsVerified: number;
  /** Segments whose bytes did not match (all discarded). */
  integrityFailures: number;
  bandwidthEstimateBps: number;
  /** The level being fetched (null in audio-only mode or before start). */
  level: number | null;
  autoLevel: boolean;
  audioOnly: boolean;
  bufferAheadS: number;
  live: boolean;
  liveEdge: number | null;
  buffered: ["main" | "audio", { start: number; end: number }[]][];
  peerList: PeerStats[];
  p2pEnabled: boolean;
  uploadEnabled: boolean;
  /** Why P2P cannot run at all here (null when it can). */
  p2pUnavailable: P2pUnavailable | null;
  /** A web video (plain MP4) plays, not HLS. */
  webVideo: boolean;
}

/** Why P2P cannot run: no `RTCPeerConnection`, or an instance whose viewers speak an older protocol. */
export type P2pUnavailable = "no-webrtc" | "older-instance-protocol";

/** The `detail` of each event `player.addEventListener(type, …)` receives, by type. */
export interface PlayerEventMap {
  "levels": { levels: LevelInfo[] };
  "level-switch": { level: number | null; auto: boolean; audioOnly: boolean };
  "segment": { track: "main" | "audio"; level: number | null; sequence: number; bytes: number; source: "http" | "p2p" | "store"; url: string; verified: boolean };
  "integrity-failure": { url: string; base: string; expected: string; actual: string };
  "source-failed": { base: string; status: number | null; reason: string };
  "retry": { url: string; attempt: number; delayMs: number };
  "error": { kind: "playlist" | "network" | "unsupported" | "media" | "integrity"; fatal: boolean; message: string };
  "peer-connect": { peerId: string };
  "peer-close": { conn: number };
  "live-update": { edge: number; windowStart: number };
  "live-ended": { gone: boolean };
}
"#;
