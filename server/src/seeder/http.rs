//! Blocking HTTP GETs (ureq), run on tokio's blocking threads by the callers.

use std::io::Read;
use std::time::Duration;

use anyhow::{bail, Context};
use tubeswarm::hls::ByteRange;

/// A body larger than this is refused (a segment is a few MiB at most).
const MAX_BODY_BYTES: u64 = 256 << 20;

/// GET `url` (only `range` of it when given), the whole body or an error that
/// names the URL and the status.
pub fn get(agent: &ureq::Agent, url: &str, range: Option<ByteRange>) -> anyhow::Result<Vec<u8>> {
    let mut request = agent.get(url);
    if let Some(r) = range {
        request = request.set("Range", &format!("bytes={}-{}", r.offset, r.end_inclusive()));
    }
    let response = match request.call() {
        Ok(response) => response,
        Err(ureq::Error::Status(status, _)) => bail!("GET {url}: HTTP {status}"),
        Err(e) => return Err(e).with_context(|| format!("GET {url}")),
    };
    if range.is_some() && response.status() != 206 {
        bail!("GET {url}: HTTP {} to a Range request", response.status());
    }
    let mut body = Vec::new();
    response.into_reader().take(MAX_BODY_BYTES).read_to_end(&mut body).with_context(|| format!("GET {url}: reading the body"))?;
    Ok(body)
}

/// The agent every fetch of the seeder shares (keep-alive, timeouts).
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).timeout(Duration::from_secs(60)).build()
}
