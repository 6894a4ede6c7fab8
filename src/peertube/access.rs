//! Passwords and tokens: which request carries which credential, as PeerTube's
//! player sends them.
//!
//! - a password-protected video's password goes as `x-peertube-video-password`,
//!   and a logged-in viewer's token as `Authorization: Bearer …`, on requests to
//!   the instance's own origin only (never to a mirror, a CDN or a tracker); the
//!   password replaces the token when both exist (`hls-options-builder.ts`);
//! - a video file token (`POST /api/v1/videos/{id}/token`) goes as the
//!   `videoFileToken` query parameter where headers cannot go: the web video MP4
//!   the `<video>` element loads itself.
//!
//! Peers need neither: they share segments already verified against the hash map.

use crate::uri;

/// The credentials of one video on one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `scheme://host[:port]` of the instance; nothing is sent elsewhere.
    pub origin: Option<String>,
    pub password: Option<String>,
    /// The viewer's OAuth access token (sent as `Bearer`).
    pub token: Option<String>,
    /// A video file token, for URLs the browser loads without our headers.
    pub file_token: Option<String>,
}

impl Credentials {
    fn same_origin(&self, url: &str) -> bool {
        match (&self.origin, uri::origin(url)) {
            (Some(mine), Some(theirs)) => uri::origin(mine).as_deref() == Some(theirs.as_str()),
            _ => false,
        }
    }

    /// The headers for a request to `url` (none off the instance's origin).
    ///
    /// ```
    /// use tubeswarm::peertube::Credentials;
    /// let c = Credentials { origin: Some("https://video.example".into()), password: Some("s3cret".into()), ..Default::default() };
    /// assert_eq!(c.headers("https://video.example/static/streaming-playlists/hls/private/u/m.m3u8"),
    ///            [("x-peertube-video-password", "s3cret".to_string())]);
    /// assert!(c.headers("https://mirror.example/hls/u/m.m3u8").is_empty());
    /// ```
    pub fn headers(&self, url: &str) -> Vec<(&'static str, String)> {
        if !self.same_origin(url) {
            return Vec::new();
        }
        match (&self.password, &self.token) {
            (Some(p), _) if !p.is_empty() => vec![("x-peertube-video-password", p.clone())],
            (_, Some(t)) if !t.is_empty() => vec![("Authorization", format!("Bearer {t}"))],
            _ => Vec::new(),
        }
    }

    /// `url` with `videoFileToken` added, when it is on the instance and there is a token.
    ///
    /// ```
    /// use tubeswarm::peertube::Credentials;
    /// let c = Credentials { origin: Some("https://video.example".into()), file_token: Some("t-1".into()), ..Default::default() };
    /// assert_eq!(c.file_url("https://video.example/static/web-videos/private/u-720.mp4"),
    ///            "https://video.example/static/web-videos/private/u-720.mp4?videoFileToken=t-1");
    /// assert_eq!(c.file_url("https://video.example/a.mp4?x=1#t"), "https://video.example/a.mp4?x=1&videoFileToken=t-1#t");
    /// ```
    pub fn file_url(&self, url: &str) -> String {
        let Some(token) = self.file_token.as_deref().filter(|t| !t.is_empty() && self.same_origin(url)) else {
            return url.to_string();
        };
        let (before, fragment) = match url.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (url, None),
        };
        let sep = if before.contains('?') { '&' } else { '?' };
        let mut out = format!("{before}{sep}videoFileToken={}", encode_component(token));
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }
}

/// Percent-encoding for a query value (everything but RFC 3986's unreserved set).
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(password: Option<&str>, token: Option<&str>) -> Credentials {
        Credentials {
            origin: Some("http://127.0.0.1:8080".into()),
            password: password.map(String::from),
            token: token.map(String::from),
            file_token: Some("a b&c".into()),
        }
    }

    #[test]
    fn credentials_go_to_the_instance_only() {
        let both = creds(Some("pw"), Some("tok"));
        let on = "http://127.0.0.1:8080/static/streaming-playlists/hls/private/u/u-master.m3u8";
        assert_eq!(both.headers(on), [("x-peertube-video-password", "pw".to_string())], "the password replaces the token");
        assert_eq!(creds(None, Some("tok")).headers(on), [("Authorization", "Bearer tok".to_string())]);
        assert!(creds(None, None).headers(on).is_empty());
        for off in ["http://127.0.0.1:8081/x", "https://127.0.0.1:8080/x", "http://localhost:8080/x", "ws://127.0.0.1:8080/tracker/socket", "relative/x"] {
            assert!(both.headers(off).is_empty(), "{off}");
        }
        assert!(Credentials { origin: None, ..both.clone() }.headers(on).is_empty());
        // The default port is the same origin.
        let c = Credentials { origin: Some("https://v.example".into()), token: Some("t".into()), ..Default::default() };
        assert_eq!(c.headers("https://v.example:443/a").len(), 1);
    }

    #[test]
    fn file_tokens_are_query_parameters_on_the_instance() {
        let c = creds(None, None);
        assert_eq!(c.file_url("http://127.0.0.1:8080/static/web-videos/u-480.mp4"), "http://127.0.0.1:8080/static/web-videos/u-480.mp4?videoFileToken=a%20b%26c");
        assert_eq!(c.file_url("http://cdn.example/u-480.mp4"), "http://cdn.example/u-480.mp4");
        assert_eq!(Credentials { file_token: None, ..c }.file_url("http://127.0.0.1:8080/a.mp4"), "http://127.0.0.1:8080/a.mp4");
    }
}
