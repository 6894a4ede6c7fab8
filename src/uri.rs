//! URI references resolved against a base, as RFC 3986 §5.2 says, and origins.
//!
//! # Why not the `url` crate
//! Playlists need one thing from a URL library: `EXT-X-MAP`, segment, variant and
//! rendition URIs resolved against the playlist's URL. The `url` crate does that by
//! implementing the whole WHATWG URL standard, IDNA included, whose Unicode tables
//! were the largest single item of the WebAssembly build. The RFC's algorithm is
//! forty lines (§5.2.2 and §5.2.4, written out below as the RFC writes them), and
//! the browser's own `fetch` normalises whatever it is given anyway (percent-encoding,
//! IDNA), so the player needs no more than the RFC. The tests are the RFC's own
//! examples (§5.4.1 and §5.4.2) plus what playlists do.
//!
//! What it does not do: IDNA, percent-encoding of characters a URL may not hold
//! (`fetch` does both), or WHATWG's special cases (backslashes, a missing `//`).
//! Scheme and host are lower-cased, as both standards compare them.

use crate::quoted::Quoted;

/// The five parts of a URI reference (RFC 3986 Appendix B's regular expression).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> Parts<'a> {
    /// `^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?`
    fn split(reference: &'a str) -> Parts<'a> {
        let (rest, fragment) = match reference.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (reference, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let scheme_end = rest.find([':', '/']).filter(|&i| i > 0 && rest.as_bytes()[i] == b':');
        let (scheme, rest) = match scheme_end {
            Some(i) if is_scheme(&rest[..i]) => (Some(&rest[..i]), &rest[i + 1..]),
            _ => (None, rest),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        Parts { scheme, authority, path, query, fragment }
    }
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic()) && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// Why a reference could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidUri {
    /// The base is not `scheme://host…`.
    NotAbsolute(String),
    /// The host or port cannot be one (`[::1` without its `]`, a space, `:80x`).
    BadAuthority(String),
}

impl std::fmt::Display for InvalidUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidUri::NotAbsolute(u) => write!(f, "{} is not an absolute URL (no scheme and host)", Quoted(u)),
            InvalidUri::BadAuthority(a) => write!(f, "{} is not a valid host[:port]", Quoted(a)),
        }
    }
}

/// RFC 3986 §3.2: `[userinfo@]host[:port]`, host an IP literal in brackets or a
/// name without spaces, controls or brackets; port digits.
fn valid_authority(authority: &str) -> bool {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let Some((literal, after)) = rest.split_once(']') else { return false };
        if literal.is_empty() || !literal.bytes().all(|b| b.is_ascii_hexdigit() || b":.vV".contains(&b)) {
            return false;
        }
        match after {
            "" => ("x", None),
            p => match p.strip_prefix(':') {
                Some(port) => ("x", Some(port)),
                None => return false,
            },
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let host_ok = host.bytes().all(|b| b > b' ' && b != 0x7f && !b"[]<>\\^`{|}\"".contains(&b));
    host_ok && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `url` is absolute with an authority (`scheme://host…`, or `file:///…`
/// whose host is empty), which a base must be.
pub fn is_absolute(url: &str) -> bool {
    let p = Parts::split(url);
    let file = p.scheme.is_some_and(|s| s.eq_ignore_ascii_case("file"));
    p.scheme.is_some() && p.authority.is_some_and(|a| !a.is_empty() || file)
}

/// `reference` resolved against the absolute `base` (RFC 3986 §5.2.2, strict).
///
/// ```
/// use tubeswarm::uri::resolve;
/// let base = "https://video.example/static/hls/uuid/master.m3u8?token=1";
/// assert_eq!(resolve(base, "720.m3u8").unwrap(), "https://video.example/static/hls/uuid/720.m3u8");
/// assert_eq!(resolve(base, "../other/a.mp4").unwrap(), "https://video.example/static/hls/other/a.mp4");
/// assert_eq!(resolve(base, "//cdn.example/x.ts").unwrap(), "https://cdn.example/x.ts");
/// assert!(resolve("relative/only.m3u8", "a.ts").is_err());
/// ```
pub fn resolve(base: &str, reference: &str) -> Result<String, InvalidUri> {
    if !is_absolute(base) {
        return Err(InvalidUri::NotAbsolute(base.to_string()));
    }
    let b = Parts::split(base);
    let r = Parts::split(reference.trim());
    let (scheme, authority, path, query);
    if let Some(s) = r.scheme {
        scheme = s;
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        scheme = b.scheme.unwrap_or_default();
        if r.authority.is_some() {
            authority = r.authority;
            path = remove_dot_segments(r.path);
            query = r.query;
        } else {
            authority = b.authority;
            if r.path.is_empty() {
                path = b.path.to_string();
                query = r.query.or(b.query);
            } else {
                path = if r.path.starts_with('/') { remove_dot_segments(r.path) } else { remove_dot_segments(&merge(&b, r.path)) };
                query = r.query;
            }
        }
    }
    if let Some(a) = authority.filter(|a| !valid_authority(a)) {
        return Err(InvalidUri::BadAuthority(a.to_string()));
    }
    Ok(recompose(scheme, authority, &path, query, r.fragment))
}

/// [`resolve`] against one base, many times, as a playlist resolves each of its
/// segments. The common reference, a relative path with no dot segment and no
/// scheme (`0-000123.ts`, `seg/4.m4s?x=1`), resolves to the base's directory
/// followed by the reference, as §5.2.2 works out (merge, then
/// `remove_dot_segments`, which has nothing to remove in it): that directory is
/// resolved once, and such a reference costs a copy. Every other reference goes
/// through `resolve`. A live window's 900 distinct segment URIs spent a quarter
/// of each refresh's parse in `resolve` (BENCHMARKS.md, the live refresh row).
///
/// ```
/// use tubeswarm::uri::{resolve, Resolver};
/// let base = "https://Video.Example/static/live/uuid/0.m3u8?token=1";
/// let r = Resolver::new(base);
/// for reference in ["0-000123.ts", "seg/4.m4s?x=1#t", "../a.ts", "/x.ts", "https://cdn.example/y.ts"] {
///     assert_eq!(r.resolve(reference), resolve(base, reference));
/// }
/// assert_eq!(r.resolve("0-000123.ts").unwrap(), "https://video.example/static/live/uuid/0-000123.ts");
/// ```
pub struct Resolver<'a> {
    base: &'a str,
    /// The base's directory, resolved: `None` if the base is not absolute.
    directory: Option<String>,
}

impl<'a> Resolver<'a> {
    pub fn new(base: &'a str) -> Resolver<'a> {
        let directory = resolve(base, "x").ok().map(|mut u| {
            u.pop();
            u
        });
        Resolver { base, directory }
    }

    /// The same as `resolve(base, reference)`.
    pub fn resolve(&self, reference: &str) -> Result<String, InvalidUri> {
        let r = reference.trim();
        match &self.directory {
            Some(directory) if is_plain_relative_path(r) => {
                let mut url = String::with_capacity(directory.len() + r.len());
                url.push_str(directory);
                url.push_str(r);
                Ok(url)
            }
            _ => resolve(self.base, reference),
        }
    }
}

/// A relative-path reference (§4.2) whose path has no `.` or `..` segment: it
/// starts with neither `/`, `?` nor `#`, and has no `:` before its query (which
/// could make its first segment a scheme; such rare references take `resolve`).
fn is_plain_relative_path(r: &str) -> bool {
    let path = &r[..r.find(['?', '#']).unwrap_or(r.len())];
    !path.is_empty() && !path.starts_with('/') && !path.contains(':') && path.split('/').all(|s| s != "." && s != "..")
}

/// §5.2.3: the reference's path appended to the base's directory.
fn merge(base: &Parts, path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        return format!("/{path}");
    }
    match base.path.rfind('/') {
        Some(i) => format!("{}{path}", &base.path[..=i]),
        None => path.to_string(),
    }
}

/// §5.2.4, step by step as the RFC writes it.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../").or_else(|| input.strip_prefix("./")) {
            input = rest; // A
        } else if input.starts_with("/./") {
            input = &input[2..]; // B
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            // C: drop the last output segment.
            input = if input == "/.." { "/" } else { &input[3..] };
            match output.rfind('/') {
                Some(i) => output.truncate(i),
                None => output.clear(),
            }
        } else if input == "." || input == ".." {
            input = ""; // D
        } else {
            // E: move the first segment (with its leading "/") to the output.
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            output.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    output
}

/// §5.3, with scheme and host lower-cased.
fn recompose(scheme: &str, authority: Option<&str>, path: &str, query: Option<&str>, fragment: Option<&str>) -> String {
    let mut out = String::with_capacity(scheme.len() + path.len() + 32);
    out.push_str(&scheme.to_ascii_lowercase());
    out.push(':');
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(&lower_host(a));
        if path.is_empty() && matches!(scheme, "http" | "https" | "ws" | "wss") {
            out.push('/');
        }
    }
    out.push_str(path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The authority with its host lower-cased (user info kept as it is).
fn lower_host(authority: &str) -> String {
    match authority.rsplit_once('@') {
        Some((user, host)) => format!("{user}@{}", host.to_ascii_lowercase()),
        None => authority.to_ascii_lowercase(),
    }
}

/// `scheme://host[:port]` of an absolute URL, lower-cased, with the scheme's
/// default port left out (so `https://a.example:443/x` and `https://A.example/y`
/// are one origin); `None` for a URL without an authority.
///
/// ```
/// use tubeswarm::uri::origin;
/// assert_eq!(origin("https://Video.Example:443/w/1?x").as_deref(), Some("https://video.example"));
/// assert_eq!(origin("http://127.0.0.1:8080/media/a.ts").as_deref(), Some("http://127.0.0.1:8080"));
/// assert_eq!(origin("/relative"), None);
/// ```
pub fn origin(url: &str) -> Option<String> {
    let p = Parts::split(url.trim());
    let scheme = p.scheme?.to_ascii_lowercase();
    let authority = p.authority.filter(|a| !a.is_empty())?;
    let host_port = lower_host(authority.rsplit_once('@').map_or(authority, |(_, h)| h));
    let default = match scheme.as_str() {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => "",
    };
    let host_port = if !default.is_empty() && host_port.ends_with(default) { &host_port[..host_port.len() - default.len()] } else { &host_port };
    Some(format!("{scheme}://{host_port}"))
}

/// The URL without its query and fragment (p2p-media-loader's default swarm id,
/// and the key PeerTube's hash map uses for a file).
pub fn without_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// The scheme of an absolute URL, lower-cased (`None` for a relative one).
pub fn scheme(url: &str) -> Option<String> {
    Parts::split(url.trim()).scheme.map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://a/b/c/d;p?q";

    #[test]
    fn rfc_3986_normal_examples() {
        // §5.4.1
        for (reference, want) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ] {
            assert_eq!(resolve(BASE, reference).unwrap(), want, "{reference:?}");
        }
    }

    #[test]
    fn rfc_3986_abnormal_examples() {
        // §5.4.2 (strict parser: "http:g" keeps its own scheme).
        for (reference, want) in [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g#s/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
            ("http:g", "http:g"),
        ] {
            assert_eq!(resolve(BASE, reference).unwrap(), want, "{reference:?}");
        }
    }

    /// The resolver's shortcut against `resolve` itself, over bases and
    /// references that probe its edges: empty paths, dot segments anywhere,
    /// colons, queries and fragments, spaces that `resolve` trims.
    #[test]
    fn the_resolver_answers_as_resolve_does() {
        let bases = [
            "https://a.example/b/c/d;p?q",
            "https://A.example",
            "https://a.example/",
            "http://u@H.example:8080/live/x/0.m3u8?token=1#f",
            "file:///tmp/media/master.m3u8",
            "https://a.example/./b/../c/",
            "relative/only.m3u8",
        ];
        let references = [
            "0-000123.ts", "seg/4.m4s?x=1#t", " a.ts ", "a..ts", ".hidden/x.ts", "x/./y.ts", "x/../y.ts", ".", "..", "./", "../a",
            "a/.", "a/..", "?q", "#f", "", "/abs.ts", "//cdn.example/x", "https://c.example/y", "a:b", "c:d/e", "x/y:z",
            "a?b:c", "a#b/../c", "a//b", "%2e%2e/x",
        ];
        for base in bases {
            let r = Resolver::new(base);
            for reference in references {
                assert_eq!(r.resolve(reference), resolve(base, reference), "{base} + {reference}");
            }
        }
    }

    #[test]
    fn what_playlists_do() {
        let master = "https://Video.Example/static/streaming-playlists/hls/uuid/uuid-master.m3u8?videoFileToken=t";
        // A variant beside the master: the master's query is not carried over.
        assert_eq!(resolve(master, "f-720.m3u8").unwrap(), "https://video.example/static/streaming-playlists/hls/uuid/f-720.m3u8");
        // The one fragmented MP4 of a byte-range playlist, with its own query.
        assert_eq!(resolve(master, "f-720-fragmented.mp4?v=2").unwrap(), "https://video.example/static/streaming-playlists/hls/uuid/f-720-fragmented.mp4?v=2");
        assert_eq!(resolve(master, "../../redundancy/x/0.ts").unwrap(), "https://video.example/static/streaming-playlists/redundancy/x/0.ts");
        assert_eq!(resolve(master, "https://cdn.example/a/b.ts").unwrap(), "https://cdn.example/a/b.ts");
        assert_eq!(resolve(master, "//cdn.example/a.ts").unwrap(), "https://cdn.example/a.ts");
        assert_eq!(resolve(master, "/live/0-000123.ts").unwrap(), "https://video.example/live/0-000123.ts");
        assert_eq!(resolve("http://127.0.0.1:8080/media/live/0.m3u8", " 0-000001.ts ").unwrap(), "http://127.0.0.1:8080/media/live/0-000001.ts");
        assert_eq!(resolve("http://h", "a.ts").unwrap(), "http://h/a.ts");
        assert_eq!(resolve("file:///tmp/x/master.m3u8", "../a.ts").unwrap(), "file:///tmp/a.ts");
        for bad in ["http://[::1/a.ts", "http://a b/x", "http://h:8o/x", "//[x]/a"] {
            assert!(resolve(master, bad).is_err(), "{bad:?}");
        }
        assert_eq!(resolve(master, "http://[::1]:8080/a.ts").unwrap(), "http://[::1]:8080/a.ts");
        // A base must be absolute.
        for base in ["", "media/a.m3u8", "/media/a.m3u8", "http:a.m3u8", "file:relative"] {
            assert!(resolve(base, "x").is_err(), "{base:?}");
        }
    }

    #[test]
    fn origins_and_queries() {
        assert_eq!(origin("HTTPS://A.example:8443/x").as_deref(), Some("https://a.example:8443"));
        assert_eq!(origin("http://a.example:80").as_deref(), Some("http://a.example"));
        assert_eq!(origin("wss://a.example:443/tracker/socket").as_deref(), Some("wss://a.example"));
        assert_eq!(origin("http://user:pw@a.example/x").as_deref(), Some("http://a.example"));
        assert_eq!(origin("mailto:x@y"), None);
        assert_eq!(without_query("http://a/b.m3u8?x=1#f"), "http://a/b.m3u8");
        assert_eq!(scheme("WSS://a/b").as_deref(), Some("wss"));
        assert_eq!(scheme("/a"), None);
    }
}
