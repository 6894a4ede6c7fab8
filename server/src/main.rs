//! `tubeswarm-demo`: serves the demo page, the player package and the sample
//! media on one port until interrupted. See `tubeswarm_server::demo`.

use std::io::Write;
use std::process::ExitCode;

use tubeswarm_server::demo::{self, Command};

fn main() -> ExitCode {
    let (config, throttle_kbps) = match demo::parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config, throttle_kbps)) => (config, throttle_kbps),
        Ok(Command::Help) => {
            print!("{}", demo::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tubeswarm-demo: {message}\n\n{}", demo::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tubeswarm-demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        for (name, dir) in [
            ("--www", &config.www),
            ("--pkg", &config.pkg),
            ("--media", &config.media),
        ] {
            if !dir.is_dir() {
                eprintln!(
                    "tubeswarm-demo: warning: {name} {} is not a folder",
                    dir.display()
                );
            }
        }
        let server = demo::start_throttled(config, throttle_kbps).await?;
        let interrupted = demo::interrupted();
        println!("{}", server.url());
        let _ = std::io::stdout().flush();
        server.serve_until(interrupted).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tubeswarm-demo: {e:#}");
            ExitCode::FAILURE
        }
    }
}
