//! `tubeswarm-inspect <playlist file or URL> [--json]`: parses one playlist with the
//! player's own parser (`tubeswarm::hls`) and prints what the player sees: a summary
//! for people, or with `--json` one JSON object whose keys mean what the corpus
//! reference's do (`kind`, `variants`, `media_renditions`, `segments`,
//! `total_duration`, `target_duration`, `media_sequence`, `endlist`, `byteranges`,
//! `has_map`, `iframe_variants`, `parts`).
//!
//! Exit status: 0 on success; 1 when the playlist cannot be read or parsed (the error,
//! naming the line, goes to stderr); 2 on a usage error. It never panics: output errors
//! (a closed pipe) are ignored rather than unwrapped.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use tubeswarm::hls::{parse_playlist, MasterPlaylist, MediaPlaylist, Playlist, Summary};

const USAGE: &str = "usage: tubeswarm-inspect <playlist file or URL> [--json]\n\n  \
                     --json   print one JSON object instead of a summary\n";

fn main() -> ExitCode {
    let mut json = false;
    let mut source: Option<String> = None;
    // args_os: a non-UTF-8 argument must not panic (std::env::args would).
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        match arg.as_str() {
            "-h" | "--help" => {
                out(USAGE);
                return ExitCode::SUCCESS;
            }
            "--json" => json = true,
            flag if flag.starts_with("--") => return usage(&format!("unknown option: {flag}")),
            _ if source.is_none() => source = Some(arg),
            extra => return usage(&format!("unexpected argument: {extra}")),
        }
    }
    let Some(source) = source else { return usage("no playlist given") };

    let (text, url) = match load(&source) {
        Ok(loaded) => loaded,
        Err(message) => {
            err(&format!("tubeswarm-inspect: {source}: {message}\n"));
            return ExitCode::from(1);
        }
    };
    match parse_playlist(&text, &url) {
        Ok(playlist) => {
            let summary = Summary::of(&playlist);
            if json {
                match serde_json::to_string(&summary) {
                    Ok(line) => out(&format!("{line}\n")),
                    Err(e) => {
                        err(&format!("tubeswarm-inspect: {e}\n"));
                        return ExitCode::from(1);
                    }
                }
            } else {
                out(&describe(&playlist, &summary));
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.line == 0 => {
            err(&format!("tubeswarm-inspect: {source}: {}\n", e.message));
            ExitCode::from(1)
        }
        Err(e) => {
            err(&format!("tubeswarm-inspect: {source}: line {}: {}\n", e.line, e.message));
            ExitCode::from(1)
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    err(&format!("tubeswarm-inspect: {problem}\n\n{USAGE}"));
    ExitCode::from(2)
}

fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The playlist text and the absolute URL its URIs are relative to.
fn load(source: &str) -> Result<(String, String), String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let response = ureq::get(source).call().map_err(|e| match e {
            ureq::Error::Status(code, response) => format!("HTTP {code} {}", response.status_text()),
            other => other.to_string(),
        })?;
        // After redirects, URIs are relative to where the playlist really came from.
        let url = response.get_url().to_string();
        let text = response.into_string().map_err(|e| e.to_string())?;
        return Ok((text, url));
    }
    let path = Path::new(source);
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        format!("line {line}: not UTF-8 text")
    })?;
    Ok((text, file_url(path)))
}

/// `file://` URL of a path, percent-encoding what a URL path cannot hold as is.
fn file_url(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| std::env::current_dir().map(|dir| dir.join(path)))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut url = String::from("file://");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

fn describe(playlist: &Playlist, summary: &Summary) -> String {
    match playlist {
        Playlist::Master(m) => describe_master(m, summary),
        Playlist::Media(m) => describe_media(m, summary),
    }
}

fn describe_master(m: &MasterPlaylist, s: &Summary) -> String {
    let mut t = format!("master playlist {}\n", m.url);
    let _ = writeln!(
        t,
        "  {} variants, {} I-frame variants, {} renditions{}",
        s.variants,
        s.iframe_variants,
        s.media_renditions,
        if m.independent_segments { ", independent segments" } else { "" }
    );
    for (i, v) in m.variants.iter().chain(&m.iframe_variants).enumerate() {
        let iframe = if i >= m.variants.len() { " I-frames" } else { "" };
        let mut line = format!("  #{i}{iframe} {} bit/s", v.bandwidth);
        if let Some(r) = v.resolution {
            let _ = write!(line, " {}x{}", r.width, r.height);
        }
        if let Some(f) = v.frame_rate {
            let _ = write!(line, " {f} fps");
        }
        for (name, value) in [
            ("codecs", &v.codecs),
            ("range", &v.video_range),
            ("audio", &v.audio_group),
            ("subtitles", &v.subtitles_group),
        ] {
            if let Some(value) = value {
                let _ = write!(line, " {name}={value}");
            }
        }
        let _ = writeln!(t, "{line}\n      {}", v.url);
    }
    for r in &m.renditions {
        let _ = write!(t, "  {:?} group={} name={:?}", r.kind, r.group_id, r.name);
        if let Some(language) = &r.language {
            let _ = write!(t, " language={language}");
        }
        if r.default {
            t.push_str(" default");
        }
        let _ = writeln!(t, "{}", r.url.as_deref().map(|u| format!("\n      {u}")).unwrap_or_default());
    }
    t
}

fn describe_media(m: &MediaPlaylist, s: &Summary) -> String {
    let mut t = format!("media playlist {}\n", m.url);
    let _ = writeln!(
        t,
        "  {:?}{}, {} segments, {:.3} s, target duration {} s, media sequence {}",
        m.playlist_type,
        if m.endlist { " (ended)" } else { " (not ended: refreshed as live)" },
        s.segments,
        s.total_duration,
        m.target_duration,
        m.media_sequence
    );
    let discontinuities = m.segments.iter().filter(|x| x.discontinuity).count();
    let encrypted = m.segments.iter().filter(|x| x.encryption.is_some()).count();
    let _ = writeln!(
        t,
        "  byte ranges {}, init segment {}, discontinuities {}, encrypted segments {}, LL-HLS parts {}",
        s.byteranges,
        if s.has_map { "yes" } else { "no" },
        discontinuities,
        encrypted,
        s.parts
    );
    let shown: Vec<_> = match m.segments.len() {
        0..=6 => m.segments.iter().collect(),
        n => m.segments[..3].iter().chain(&m.segments[n - 3..]).collect(),
    };
    for (i, x) in shown.iter().enumerate() {
        if i == 3 && m.segments.len() > 6 {
            let _ = writeln!(t, "  ...");
        }
        let mut line =
            format!("  #{} seq {} [{:.3} s +{:.3} s] line {}", x.index, x.sequence, x.start, x.duration, x.line);
        if let Some(r) = x.resource.range {
            let _ = write!(line, " bytes {}-{}", r.offset, r.end_inclusive());
        }
        let _ = writeln!(t, "{line}\n      {}", x.resource.url);
    }
    t
}
