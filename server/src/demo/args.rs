//! Command line of `tubeswarm-demo`, parsed by hand.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: tubeswarm-demo [--port N] [--host ADDR] [--www DIR] [--pkg DIR] [--media DIR] [--npm DIR] [--verbose]
                      [--throttle-kbps N] [--peertube-version V]

  --port N      port to listen on (default 8080; 0 = any free port)
  --host ADDR   address to listen on (default 127.0.0.1)
  --www DIR     the demo page folder served at / (default ./www)
  --pkg DIR     wasm-pack's output served at /pkg/ (default ./pkg)
  --media DIR   sample media served at /media/ (default ./generated/media)
  --npm DIR     node_modules whose hls.js is served at /vendor/hls.js/, for the
                hls.js example page (default ./node_modules)
  --verbose     log one line per request on stderr
  --throttle-kbps N
                pace /media/ through one shared link of N kbit/s (benchmarks)
  --peertube-version V
                the serverVersion PeerTube's API answers with (default 8.2.0);
                the player picks its swarm form from it
";

/// The PeerTube release the demo's API answers as (the newest one at the time of writing).
pub const DEFAULT_PEERTUBE_VERSION: &str = "8.2.0";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub media: PathBuf,
    /// npm's `node_modules`: hls.js for the example of tubeswarm as its loader.
    pub npm: PathBuf,
    pub verbose: bool,
    /// The `serverVersion` PeerTube's API answers with (`/api/v1/config`): the
    /// player chooses its swarm form from it.
    pub peertube_version: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8080,
            www: "www".into(),
            pkg: "pkg".into(),
            media: "generated/media".into(),
            npm: "node_modules".into(),
            verbose: false,
            peertube_version: DEFAULT_PEERTUBE_VERSION.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve `Config`; the second field is `--throttle-kbps` (a benchmark option,
    /// kept out of `Config` so that code building a `Config` need not know it).
    Run(Config, Option<u64>),
    Help,
}

/// Parses the arguments after the program name. Accepts `--flag value` and
/// `--flag=value`.
pub fn parse_args<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut config = Config::default();
    let mut throttle_kbps = None;
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--verbose" | "-v" => config.verbose = true,
            "--port" => {
                let v = value("--port")?;
                config.port = v
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {v}"))?;
            }
            "--host" => config.host = value("--host")?,
            "--www" => config.www = value("--www")?.into(),
            "--pkg" => config.pkg = value("--pkg")?.into(),
            "--media" => config.media = value("--media")?.into(),
            "--npm" => config.npm = value("--npm")?.into(),
            "--peertube-version" => config.peertube_version = value("--peertube-version")?,
            "--throttle-kbps" => {
                let v = value("--throttle-kbps")?;
                throttle_kbps = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("--throttle-kbps: not a positive whole number: {v}"))?,
                );
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Command::Run(config, throttle_kbps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        assert_eq!(
            parse_args(Vec::<String>::new()),
            Ok(Command::Run(Config::default(), None))
        );
        let Ok(Command::Run(c, None)) = parse_args([
            "--port",
            "0",
            "--host=0.0.0.0",
            "--media",
            "/tmp/m",
            "--verbose",
            "--www=w",
        ]) else {
            panic!()
        };
        assert_eq!((c.port, c.host.as_str(), c.verbose), (0, "0.0.0.0", true));
        assert_eq!(c.media, PathBuf::from("/tmp/m"));
        assert_eq!(c.www, PathBuf::from("w"));
        assert_eq!(parse_args(["--help"]), Ok(Command::Help));
        assert!(parse_args(["--port"]).is_err());
        assert!(parse_args(["--port", "x"]).is_err());
        assert!(parse_args(["--nope"]).is_err());
        assert_eq!(
            parse_args(["--throttle-kbps=4000"]),
            Ok(Command::Run(Config::default(), Some(4000)))
        );
        assert!(parse_args(["--throttle-kbps", "0"]).is_err());
        let Ok(Command::Run(c, _)) = parse_args(["--peertube-version", "7.2.3"]) else { panic!() };
        assert_eq!(c.peertube_version, "7.2.3");
    }
}
