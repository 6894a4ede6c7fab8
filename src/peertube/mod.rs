//! PeerTube compatibility: what an instance's answers mean for the player, as
//! PeerTube's own player reads them. Pure data and decisions, tested natively;
//! the web layer fetches and the page's element drives them.
//!
//! - [`versions`]: which peer protocol (info_hash form) an instance release's
//!   viewers speak, so tubeswarm viewers join their swarms;
//! - [`video`]: a video's API answer → sources, mirrors, trackers, web videos;
//! - [`views`]: when to report that the video is watched, and where to start;
//! - [`access`]: passwords and tokens, on the instance's own requests only;
//! - [`api`]: the JSON shapes read.

pub mod access;
pub mod api;
pub mod versions;
pub mod video;
pub mod views;

pub use access::Credentials;
pub use api::VideoDetails;
pub use versions::{instance_p2p, records_client_info, InstanceP2p};
pub use video::{playable_video, websocket_trackers, PlayableVideo, Privacy, VideoError, WebVideo};
pub use views::{client_info, start_position, ClientInfo, ViewReport, ViewReporter};
