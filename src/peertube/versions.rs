//! Which peer protocol an instance's own viewers speak, from its release.
//!
//! A tubeswarm viewer shares segments only with viewers in the same tracker swarm,
//! and the swarm is named by an info_hash whose form changed between
//! p2p-media-loader releases. Each PeerTube release pins one p2p-media-loader in
//! `client/package.json`; this table maps the instance's `serverVersion` (from
//! `GET /api/v1/config`) to the protocol and info_hash form of that pin. It is the
//! one place to update when PeerTube moves to another p2p-media-loader.

use crate::engine::InfoHashVersion;

/// What the instance's own player speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceP2p {
    /// p2p-media-loader 2.x: the same wire protocol as tubeswarm, with this info_hash form.
    Swarm(InfoHashVersion),
    /// The `@peertube/p2p-media-loader-*` 1.x fork (another protocol): tubeswarm
    /// plays over HTTP and shows P2P as unavailable.
    OlderProtocol,
}

/// One row: from this release on (until the next row), the instance's player speaks `p2p`.
struct Row {
    since: (u32, u32, u32),
    p2p: InstanceP2p,
    /// Where the row comes from (PeerTube's `client/package.json` at that tag).
    _source: &'static str,
}

/// Oldest first. A release newer than the last row speaks what the last row says
/// (the newest pin known); one older than the first, or unreadable, too (most
/// instances run a recent release, and a wrong guess costs only P2P, never playback).
const RELEASES: &[Row] = &[
    Row {
        since: (0, 0, 0),
        p2p: InstanceP2p::OlderProtocol,
        _source: "v6.0.0–v7.0.x client/package.json: @peertube/p2p-media-loader-core/-hlsjs ^1.0.x (fork of p2p-media-loader 0.6)",
    },
    Row {
        since: (7, 1, 0),
        p2p: InstanceP2p::Swarm(InfoHashVersion::V2_2),
        _source: "v7.1.0 client/package.json: p2p-media-loader-core/-hlsjs ^2.1.2 (info_hash: md5 form, as 2.2)",
    },
    Row {
        since: (7, 2, 0),
        p2p: InstanceP2p::Swarm(InfoHashVersion::V2_2),
        _source: "v7.2.0 client/package.json: p2p-media-loader-core/-hlsjs ^2.2.1",
    },
    Row {
        since: (8, 0, 0),
        p2p: InstanceP2p::Swarm(InfoHashVersion::V2_2),
        _source: "v8.x client/package.json: p2p-media-loader-core/-hlsjs ^2.2.2, hls.js ~1.6",
    },
];

/// `major.minor.patch` at the start of a version string (`"8.2.0"`, `"7.1.0-rc.1"`,
/// `"v7.2"`); `None` when it does not start with a number.
fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let mut parts = text.split(|c: char| !c.is_ascii_digit()).take(3).map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

/// What an instance of `server_version` (its `/api/v1/config` `serverVersion`)
/// speaks. `None` (the config could not be read) gives the newest known pin.
///
/// ```
/// use tubeswarm::engine::InfoHashVersion;
/// use tubeswarm::peertube::{instance_p2p, InstanceP2p};
/// assert_eq!(instance_p2p(Some("8.2.0")), InstanceP2p::Swarm(InfoHashVersion::V2_2));
/// assert_eq!(instance_p2p(Some("6.3.3")), InstanceP2p::OlderProtocol);
/// ```
pub fn instance_p2p(server_version: Option<&str>) -> InstanceP2p {
    let newest = RELEASES.last().map_or(InstanceP2p::Swarm(InfoHashVersion::V2_2), |r| r.p2p);
    let Some(version) = server_version.and_then(parse_version) else { return newest };
    RELEASES.iter().rev().find(|r| version >= r.since).map_or(newest, |r| r.p2p)
}

/// Whether the instance records `client`, `device` and `operatingSystem` with
/// each view (PeerTube 7.2+). An unknown version: yes (extra fields are ignored
/// by older releases' validators).
pub fn records_client_info(server_version: Option<&str>) -> bool {
    server_version.and_then(parse_version).is_none_or(|v| v >= (7, 2, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_map_to_their_player_s_protocol() {
        let v2_2 = InstanceP2p::Swarm(InfoHashVersion::V2_2);
        for (version, want) in [
            ("5.2.1", InstanceP2p::OlderProtocol),
            ("6.0.0", InstanceP2p::OlderProtocol),
            ("7.0.1", InstanceP2p::OlderProtocol),
            ("7.1.0", v2_2),
            ("7.1.0-rc.1", v2_2),
            ("7.2.3", v2_2),
            ("v7.3.0", v2_2),
            ("8.0.0", v2_2),
            ("8.2.0", v2_2),
            // Newer than the table: the newest pin known.
            ("9.0.0", v2_2),
            ("garbage", v2_2),
            ("", v2_2),
        ] {
            assert_eq!(instance_p2p(Some(version)), want, "{version}");
        }
        assert_eq!(instance_p2p(None), v2_2);
    }

    #[test]
    fn client_info_from_7_2_on() {
        assert!(!records_client_info(Some("7.1.1")));
        assert!(records_client_info(Some("7.2.0")));
        assert!(records_client_info(Some("8.2.0")));
        assert!(records_client_info(None));
    }

    #[test]
    fn the_table_is_sorted() {
        assert!(RELEASES.windows(2).all(|w| w[0].since < w[1].since));
        assert_eq!(parse_version("7.1"), Some((7, 1, 0)));
        assert_eq!(parse_version("10.20.30+build"), Some((10, 20, 30)));
        assert_eq!(parse_version("x7"), None);
    }
}
