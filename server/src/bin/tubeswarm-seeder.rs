//! `tubeswarm-seeder`: seeds a stream's segments to its viewers over WebRTC until
//! interrupted. See `tubeswarm_server::seeder` and `--help`.

use std::process::ExitCode;
use std::time::Duration;

use tubeswarm_server::{demo, seeder};

fn main() -> ExitCode {
    let args = match seeder::parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{}", seeder::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tubeswarm-seeder: {message}\n\n{}", seeder::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tubeswarm-seeder: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let once = args.once;
    let result = runtime.block_on(async move { seeder::run(args, demo::interrupted(), None).await });
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(report) if once && !report.all_verified() => ExitCode::FAILURE,
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tubeswarm-seeder: {e:#}");
            ExitCode::FAILURE
        }
    }
}
