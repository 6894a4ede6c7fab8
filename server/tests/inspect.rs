//! Runs the `tubeswarm-inspect` binary: JSON output, human output, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn inspect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tubeswarm-inspect")).args(args).output().expect("tubeswarm-inspect runs")
}

/// A playlist written to a file of its own in the temp dir, removed on drop.
struct TempPlaylist(PathBuf);

impl TempPlaylist {
    fn new(name: &str, text: &str) -> TempPlaylist {
        let path = std::env::temp_dir().join(format!("tubeswarm-inspect-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("temp file written");
        TempPlaylist(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempPlaylist {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "exit {:?}, stderr: {}", output.status, String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

#[test]
fn json_summary_of_a_media_playlist() {
    let file = TempPlaylist::new(
        "media.m3u8",
        "#EXTM3U\n#EXT-X-TARGETDURATION:4.5\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-MAP:URI=\"init.mp4\"\n\
         #EXTINF:4.004,\n#EXT-X-BYTERANGE:100@0\nv.mp4\n#EXTINF:4.004,\n#EXT-X-BYTERANGE:100\nv.mp4\n\
         #EXT-X-PART:DURATION=1,URI=\"p.mp4\"\n#EXT-X-ENDLIST\n",
    );
    let v = json(&inspect(&[file.path(), "--json"]));
    assert_eq!(v["kind"], "media");
    assert_eq!(v["segments"], 2);
    assert!((v["total_duration"].as_f64().unwrap() - 8.008).abs() < 1e-9);
    assert_eq!(v["target_duration"], 5.0);
    assert_eq!(v["media_sequence"], 7);
    assert_eq!(v["endlist"], true);
    assert_eq!(v["byteranges"], 2);
    assert_eq!(v["has_map"], true);
    assert_eq!(v["parts"], 1);
    assert_eq!((v["variants"].clone(), v["media_renditions"].clone()), (0.into(), 0.into()));

    let human = inspect(&[file.path()]);
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("media playlist file://") && text.contains("2 segments"), "{text}");
}

#[test]
fn json_summary_of_a_corpus_file_matches_the_reference() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/playlists"));
    let name = "rutgersc__m3u8-rs/sample-playlists__masterplaylist.m3u8";
    let Ok(reference) = std::fs::read_to_string(dir.join("reference.jsonl")) else {
        println!("corpus absent at {}: skipped", dir.display());
        return;
    };
    let expected: Value = reference
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["file"] == name)
        .expect("the file is in reference.jsonl");
    let path = dir.join(name);
    let v = json(&inspect(&[path.to_str().unwrap(), "--json"]));
    for key in [
        "kind",
        "variants",
        "media_renditions",
        "segments",
        "target_duration",
        "media_sequence",
        "endlist",
        "byteranges",
        "has_map",
        "iframe_variants",
        "parts",
    ] {
        assert_eq!(v[key], expected[key], "{key}");
    }
    assert_eq!(v["total_duration"].as_f64(), expected["total_duration"].as_f64());
    assert_eq!(v["kind"], "master");
}

#[test]
fn a_malformed_playlist_is_an_error_naming_the_line() {
    let file = TempPlaylist::new("bad.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:four,\ns.ts\n");
    for args in [vec![file.path(), "--json"], vec![file.path()]] {
        let output = inspect(&args);
        assert_eq!(output.status.code(), Some(1));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("line 3") && stderr.contains("EXTINF"), "{stderr}");
    }
    let empty = TempPlaylist::new("empty.m3u8", "");
    let output = inspect(&[empty.path(), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 1"));
}

#[test]
fn io_and_usage_errors() {
    let output = inspect(&["/nonexistent/tubeswarm/playlist.m3u8", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!output.stderr.is_empty());
    let not_utf8 = std::env::temp_dir().join(format!("tubeswarm-inspect-{}-latin1.m3u8", std::process::id()));
    std::fs::write(&not_utf8, b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,caf\xe9\ns.ts\n").unwrap();
    let output = inspect(&[not_utf8.to_str().unwrap()]);
    let _ = std::fs::remove_file(&not_utf8);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 3"));
    assert_eq!(inspect(&[]).status.code(), Some(2));
    assert_eq!(inspect(&["a.m3u8", "--frobnicate"]).status.code(), Some(2));
}
