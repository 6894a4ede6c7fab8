//! Command line of `tubeswarm-seeder`, parsed by hand like the other tools'.

pub const USAGE: &str = "\
usage: tubeswarm-seeder --master URL [--hashes URL] [--tracker WS_URL]... [options]

Fetches a stream's segments over HTTP, checks each against the published SHA-256
map, keeps them in a bounded store, joins the stream's swarms through the trackers
like a viewer and serves the segments to viewers over WebRTC data channels.

  --master URL          the master (or media) playlist, as viewers load it: its URL
                        (cut at '?') is the swarm id, unless --swarm-id is given
  --hashes URL          PeerTube's segments-sha256.json (default: the master URL
                        with -master.m3u8 replaced by -segments-sha256.json when it
                        ends so); a segment whose bytes do not match is not kept
  --unverified          seed without a map of hashes (viewers still check)
  --tracker WS_URL      a WebTorrent tracker; repeat for several (at least one
                        unless --once)
  --levels all|H,H...   video levels to seed by height, e.g. 480,720 (default all);
                        the audio rendition is always seeded
  --store-mb N          memory for segments, MiB (default 512); fetching stops when
                        the next segment would not fit
  --upload-limit MBPS   total upload cap in Mbit/s, shared evenly by the streams
                        (default: none)
  --max-peers N         peers per stream (default 50)
  --swarm-id ID         the swarm id viewers use, if they were given one
  --info-hash 2.3|2.2   the p2p-media-loader version of the viewers (default 2.3)
  --progress-secs N     seconds between progress lines (default 5)
  --once                fetch and check every segment, print the result, exit
                        (status 1 if any segment failed) without seeding
  -h, --help            this text

Progress lines go to stderr. Ctrl-C or SIGTERM: tells the trackers 'stopped',
closes the peers, exits 0.
";

/// What the seeder is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub master: String,
    pub hashes: Option<String>,
    pub unverified: bool,
    pub trackers: Vec<String>,
    /// Heights of the video levels to seed; empty: all.
    pub levels: Vec<u32>,
    pub store_bytes: u64,
    pub upload_limit_bps: Option<u64>,
    pub max_peers: usize,
    pub swarm_id: Option<String>,
    pub info_hash_v2_2: bool,
    pub progress_secs: u64,
    pub once: bool,
}

impl Args {
    /// Settings for `master` with every default.
    pub fn new(master: &str) -> Args {
        Args {
            master: master.to_string(),
            hashes: None,
            unverified: false,
            trackers: Vec::new(),
            levels: Vec::new(),
            store_bytes: 512 << 20,
            upload_limit_bps: None,
            max_peers: 50,
            swarm_id: None,
            info_hash_v2_2: false,
            progress_secs: 5,
            once: false,
        }
    }

    /// The map of hashes to use: given, or guessed from PeerTube's naming.
    pub fn hashes_url(&self) -> Option<String> {
        if self.unverified {
            return None;
        }
        self.hashes.clone().or_else(|| {
            let path = self.master.split('?').next().unwrap_or(&self.master);
            path.strip_suffix("-master.m3u8").map(|base| format!("{base}-segments-sha256.json"))
        })
    }
}

/// Parses the arguments after the program name (`--flag value` or `--flag=value`).
/// `Ok(None)`: help was asked for.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args::new("");
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--once" => {
                parsed.once = true;
                continue;
            }
            "--unverified" => {
                parsed.unverified = true;
                continue;
            }
            _ => {}
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        let number = |v: &str| -> Result<u64, String> { v.parse().map_err(|_| format!("{flag}: not a whole number: {v}")) };
        match flag.as_str() {
            "--master" => parsed.master = value,
            "--hashes" => parsed.hashes = Some(value),
            "--tracker" => parsed.trackers.push(value),
            "--levels" if value == "all" => parsed.levels.clear(),
            "--levels" => {
                parsed.levels = value.split(',').map(|h| number(h.trim().trim_end_matches('p'))).collect::<Result<Vec<u64>, _>>()?
                    .into_iter()
                    .map(|h| h as u32)
                    .collect()
            }
            "--store-mb" => parsed.store_bytes = number(&value)?.max(1) << 20,
            "--upload-limit" => {
                let mbps: f64 = value.parse().map_err(|_| format!("{flag}: not a number: {value}"))?;
                if mbps.is_nan() || mbps <= 0.0 {
                    return Err(format!("{flag}: must be more than 0: {value}"));
                }
                parsed.upload_limit_bps = Some((mbps * 1e6) as u64);
            }
            "--max-peers" => parsed.max_peers = number(&value)?.max(1) as usize,
            "--swarm-id" => parsed.swarm_id = Some(value),
            "--info-hash" => {
                parsed.info_hash_v2_2 = match value.as_str() {
                    "2.2" => true,
                    "2.3" => false,
                    other => return Err(format!("{flag}: 2.2 or 2.3, not {other}")),
                }
            }
            "--progress-secs" => parsed.progress_secs = number(&value)?.max(1),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if parsed.master.is_empty() {
        return Err("--master is required".into());
    }
    if parsed.trackers.is_empty() && !parsed.once {
        return Err("at least one --tracker is required (or --once)".into());
    }
    Ok(Some(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_and_defaults() {
        let a = parse(&["--master", "http://h/v/x-master.m3u8", "--tracker=ws://t/1", "--tracker", "ws://t/2"]).unwrap().unwrap();
        assert_eq!(a.trackers, ["ws://t/1", "ws://t/2"]);
        assert_eq!(a.store_bytes, 512 << 20);
        assert_eq!(a.hashes_url().as_deref(), Some("http://h/v/x-segments-sha256.json"));
        let a = parse(&["--master=m", "--once", "--levels", "240p,720", "--upload-limit", "2.5", "--info-hash", "2.2"]).unwrap().unwrap();
        assert_eq!(a.levels, [240, 720]);
        assert_eq!(a.upload_limit_bps, Some(2_500_000));
        assert!(a.info_hash_v2_2 && a.once);
        assert_eq!(a.hashes_url(), None, "no PeerTube name to guess from");
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--tracker", "ws://t"]).is_err(), "no master");
        assert!(parse(&["--master", "m"]).is_err(), "no tracker");
        assert!(parse(&["--master", "m", "--once", "--upload-limit", "0"]).is_err());
        assert!(parse(&["--master", "m", "--once", "--nope", "1"]).is_err());
    }
}
