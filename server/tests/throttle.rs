//! `tubeswarm-demo --throttle-kbps`: /media/ bodies cross one shared link of that
//! rate, whole and in order; pages and the package are not slowed down.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tubeswarm_server::demo::{self, Config};

const SIZE: usize = 300_000;
const KBPS: u64 = 8_000; // 1 MB/s: the file takes 0.3 s

fn get(url: &str) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut body = Vec::new();
    ureq::get(url).call().unwrap().into_reader().read_to_end(&mut body).unwrap();
    (body, started.elapsed())
}

#[test]
fn media_is_paced_through_one_shared_link_and_the_rest_is_not() {
    let root: PathBuf = std::env::temp_dir().join(format!("tubeswarm-throttle-{}", std::process::id()));
    let data: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
    for dir in ["media", "www", "pkg"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join("file.bin"), &data).unwrap();
    }
    let config = Config {
        port: 0,
        www: root.join("www"),
        pkg: root.join("pkg"),
        media: root.join("media"),
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = runtime.block_on(demo::start_throttled(config, Some(KBPS))).unwrap();
    let base = format!("http://{}", server.addr);

    let (body, took) = get(&format!("{base}/media/file.bin"));
    assert_eq!(body, data, "the body arrives whole and in order");
    assert!(took >= Duration::from_millis(280), "paced: {took:?}");
    assert!(took < Duration::from_millis(1500), "at about the set rate: {took:?}");

    // Two downloads at once share the link: both end after about twice the time.
    let media = format!("{base}/media/file.bin");
    let started = Instant::now();
    let handles: Vec<_> = (0..2).map(|_| { let u = media.clone(); std::thread::spawn(move || get(&u)) }).collect();
    for h in handles {
        assert_eq!(h.join().unwrap().0, data);
    }
    assert!(started.elapsed() >= Duration::from_millis(560), "shared: {:?}", started.elapsed());

    for path in ["/pkg/file.bin", "/file.bin"] {
        let (body, took) = get(&format!("{base}{path}"));
        assert_eq!(body, data);
        assert!(took < Duration::from_millis(250), "{path} not throttled: {took:?}");
    }
    let _ = runtime.block_on(server.stop());
    let _ = std::fs::remove_dir_all(&root);
}
