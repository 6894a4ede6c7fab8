//! `tubeswarm-tracker`: a standalone WebTorrent tracker (the WebSocket signalling
//! server p2p-media-loader viewers use). See `tubeswarm_server::tracker`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use tubeswarm_server::demo;
use tubeswarm_server::tracker::{self, Tracker, TrackerConfig};

const USAGE: &str = "\
usage: tubeswarm-tracker [--host ADDR] [--port N] [limits]

  --host ADDR                 address to listen on (default 127.0.0.1)
  --port N                    port to listen on (default 8000; 0 = any free port)
  --interval SECS             announce interval sent to clients (default 120);
                              peers expire after twice this
  --max-connections N         open WebSockets (default 4096)
  --max-peers-per-swarm N     (default 1000)
  --max-offers N              offers in one announce (default 10)
  --max-message-size BYTES    (default 65536)
  --announces-per-window N    per IP and info_hash (default 15; 0 = no limit)
  --announce-window SECS      (default 300)

Prints ws://HOST:PORT/ once listening; stops on Ctrl-C.
";

struct Args {
    host: String,
    port: u16,
    config: TrackerConfig,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        host: "127.0.0.1".into(),
        port: 8000,
        config: TrackerConfig::default(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        let number = |v: &str| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{flag}: not a whole number: {v}"))
        };
        let limits = &mut parsed.config.limits;
        match flag.as_str() {
            "--host" => parsed.host = value,
            "--port" => {
                parsed.port = value
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {value}"))?
            }
            "--interval" => parsed.config.interval = Duration::from_secs(number(&value)?.max(1)),
            "--max-connections" => limits.max_connections = number(&value)? as usize,
            "--max-peers-per-swarm" => limits.max_peers_per_swarm = number(&value)? as usize,
            "--max-offers" => limits.max_offers = number(&value)? as usize,
            "--max-message-size" => {
                limits.max_message_size = number(&value)? as usize;
                limits.max_frame_size = limits.max_message_size.saturating_mul(16);
            }
            "--announces-per-window" => {
                limits.max_announces_per_window = u32::try_from(number(&value)?)
                    .map_err(|_| format!("{flag}: too large: {value}"))?
            }
            "--announce-window" => limits.announce_window = Duration::from_secs(number(&value)?),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tubeswarm-tracker: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tubeswarm-tracker: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let running = tracker::start(Tracker::new(args.config), &args.host, args.port).await?;
        // Installed before the URL is printed, so a signal right after it is handled.
        let interrupted = demo::interrupted();
        println!("{}", running.url());
        let _ = std::io::stdout().flush();
        running.serve_until(interrupted).await
    });
    // Open WebSockets are not waited for: they end with the runtime.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tubeswarm-tracker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags() {
        let a = parse(&[]).unwrap().unwrap();
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 8000));
        assert_eq!(a.config, TrackerConfig::default());
        let a = parse(&[
            "--port=0",
            "--host",
            "0.0.0.0",
            "--announces-per-window",
            "3",
        ])
        .unwrap()
        .unwrap();
        assert_eq!((a.host.as_str(), a.port), ("0.0.0.0", 0));
        assert_eq!(a.config.limits.max_announces_per_window, 3);
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--nope", "1"]).is_err());
    }
}
