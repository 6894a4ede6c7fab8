//! `tubeswarm-samples <out dir> [--force]`: renders the demo's sample media with
//! ffmpeg (see `tubeswarm_server::samples`). Does nothing when `<out>/.complete`
//! already names this generator version.

use std::path::PathBuf;
use std::process::ExitCode;

use tubeswarm_server::samples::{self, layout};

const USAGE: &str = "usage: tubeswarm-samples <out dir> [--force]\n\n  --force   regenerate even when <out>/.complete is current\n";

fn main() -> ExitCode {
    let mut out: Option<PathBuf> = None;
    let mut force = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--force" => force = true,
            flag if flag.starts_with('-') => {
                eprintln!("tubeswarm-samples: unknown argument: {flag}\n\n{USAGE}");
                return ExitCode::from(2);
            }
            path if out.is_none() => out = Some(PathBuf::from(path)),
            extra => {
                eprintln!("tubeswarm-samples: unexpected argument: {extra}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match samples::generate(&out, force) {
        Ok(report) if report.up_to_date => {
            println!(
                "{}: up to date ({})",
                out.display(),
                layout::GENERATOR_VERSION
            );
            ExitCode::SUCCESS
        }
        Ok(report) => {
            println!(
                "{}: generated in {:.1} s (ffmpeg {:.1} s); VOD master: vod/{}, live: live/src/ (served as live/master.m3u8, looping)",
                out.display(),
                report.total_seconds,
                report.ffmpeg_seconds,
                layout::master_name()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tubeswarm-samples: {e:#}");
            ExitCode::FAILURE
        }
    }
}
