//! Playlist text → the model of `model.rs`.
//!
//! # Why a line scanner and not m3u8-rs's playlist parser
//!
//! m3u8-rs 6.0.1 was the starting point, and reading its source showed that its
//! traps are not at the edges, they are in how it assembles a playlist:
//!
//! * `EXT-X-MAP` and `EXT-X-KEY` are attached only to the next segment, not carried
//!   forward; and its `EXT-X-KEY` check is inverted (it demands an `IV` exactly when
//!   `METHOD=NONE`), so the tag that clears a key is silently turned into an unknown tag.
//! * Every tag is parsed by prefix and the rest of its line is not checked, so
//!   `#EXT-X-TARGETDURATION:4.5` yields a target of 4 *and* a segment whose URI is
//!   `.5`; so do `#EXT-X-MEDIA-SEQUENCE:1.5`, `#EXT-X-DISCONTINUITY-SEQUENCE:x`
//!   (prefix-matched as `EXT-X-DISCONTINUITY`) and an `EXTINF` title with a comma.
//! * Tags after the last URI are dropped (trailing `EXT-X-PART`s, `EXT-X-PRELOAD-HINT`),
//!   a last line without a newline becomes a URI, and LL-HLS tags become unknown tags
//!   of the next segment.
//! * `EXT-X-BYTERANGE` without `@offset` is kept without an offset; durations are f32
//!   (4.004 comes back as 4.004000186920166, and 10,000 of them drift); `EXT-X-PROGRAM-DATE-TIME`
//!   goes through a strict RFC 3339 parse that rejects the `+0000` offsets ffmpeg
//!   writes, again silently; a URI line without `EXTINF` becomes a 0 s segment; a
//!   rejected `EXT-X-STREAM-INF` (no `BANDWIDTH`) lets its URI overwrite the previous
//!   variant's; and a nom error carries no line number.
//!
//! Correcting all of that means reading every line ourselves anyway, so this module
//! reads every line itself, in one pass, with the line number at hand, and the
//! corrections are the rules below. It does not call m3u8-rs at all, which also keeps
//! nom and chrono out of the WebAssembly build. The trap each rule answers is named
//! where the rule is applied, and each has a unit test at the end of this file.
//!
//! # Decisions on invalid input
//! RFC 8216 is followed, with these documented tolerances and refusals:
//! * The first line must be `#EXTM3U` (a UTF-8 BOM before it is skipped). A comment
//!   line before it is refused at line 1, as RFC 8216 §4.3.1.1 and hls.js do.
//! * A URI line with no `EXTINF` before it is dropped, as hls.js and python-m3u8 do
//!   (a segment of unknown duration would break the timeline). In a master playlist,
//!   a URI line that no `EXT-X-STREAM-INF` announces is ignored likewise.
//! * A missing `EXT-X-TARGETDURATION` is tolerated: the longest segment, rounded up,
//!   is used. A present but empty, `NaN` or negative one is an error at its line. A
//!   decimal one (`4.5`) is accepted and rounded up (5.0), as `model.rs` documents.
//!   If the tag appears twice, the last one wins.
//! * A trailing `EXTINF` with no URI after it (a truncated or in-progress live
//!   playlist) is ignored.
//! * `EXT-X-BYTERANGE` without `@offset` starts where the previous byte range of the
//!   same resource ended (a segment's or an `EXT-X-MAP`'s); if there was none it is an
//!   error, as RFC 8216 §4.3.2.2 asks. `EXT-X-MAP`'s `BYTERANGE` follows the same rule
//!   but starts at 0 when there was no previous range.
//! * A playlist with both master tags (`EXT-X-STREAM-INF`, `EXT-X-I-FRAME-STREAM-INF`,
//!   `EXT-X-MEDIA`) and media playlist or segment tags is refused (RFC 8216 §4.3.4).
//! * A known tag with a malformed value (`EXT-X-MEDIA-SEQUENCE:-11`,
//!   `EXT-X-PLAYLIST-TYPE:STRING`, `EXT-X-VERSION:NaN`, an attribute list that does not
//!   parse, a required attribute missing) is an error at its line.
//! * Unknown tags and comments are ignored (RFC 8216 §4.1). Attribute values are read
//!   quoted or not where the value is a string; numbers must be numbers.

use crate::decimal::parse_f64;
use crate::quoted::Quoted;
use crate::uri;

use super::error::ParseError;
use super::model::{
    ByteRange, Encryption, MasterPlaylist, MediaPlaylist, Playlist, PlaylistType, Rendition, RenditionType, Resolution,
    Resource, Segment, Variant,
};

/// Parses one playlist, master or media, resolving every URI against `url` (the
/// absolute URL the playlist was fetched from).
pub fn parse_playlist(text: &str, url: &str) -> Result<Playlist, ParseError> {
    if !uri::is_absolute(url) {
        return Err(ParseError::new(0, format!("the playlist URL {} is not an absolute URL", Quoted(url))));
    }
    let base = url;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.trim()));
    match lines.next() {
        Some((_, "#EXTM3U")) => {}
        Some((_, "")) if text.trim().is_empty() => {
            return Err(ParseError::new(1, "empty playlist (the first line must be #EXTM3U)"))
        }
        Some((_, first)) if first.starts_with('#') && !first.starts_with("#EXT") => {
            return Err(ParseError::new(1, "the first line must be #EXTM3U, found a comment before it"))
        }
        _ => return Err(ParseError::new(1, "the first line must be #EXTM3U")),
    }
    let lines: Vec<(usize, Line)> = lines.map(|(n, l)| (n, Line::classify(l))).collect();
    let is_master = lines.iter().any(|(_, l)| matches!(l, Line::Tag { name, .. } if MASTER_TAGS.contains(name)));
    let url = url.to_string();
    if is_master {
        parse_master(&lines, base, url).map(Playlist::Master)
    } else {
        parse_media(&lines, base, url).map(Playlist::Media)
    }
}

/// Tags that make a playlist a master playlist (as the corpus reference defines it).
const MASTER_TAGS: &[&str] = &["EXT-X-STREAM-INF", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-MEDIA"];

/// Media playlist and media segment tags, LL-HLS ones included: a master playlist
/// that has one is refused (RFC 8216 §4.3.4: clients MUST fail to parse it).
const MEDIA_TAGS: &[&str] = &[
    "EXTINF",
    "EXT-X-BYTERANGE",
    "EXT-X-DISCONTINUITY",
    "EXT-X-KEY",
    "EXT-X-MAP",
    "EXT-X-PROGRAM-DATE-TIME",
    "EXT-X-DATERANGE",
    "EXT-X-GAP",
    "EXT-X-BITRATE",
    "EXT-X-TARGETDURATION",
    "EXT-X-MEDIA-SEQUENCE",
    "EXT-X-DISCONTINUITY-SEQUENCE",
    "EXT-X-ENDLIST",
    "EXT-X-PLAYLIST-TYPE",
    "EXT-X-I-FRAMES-ONLY",
    "EXT-X-PART",
    "EXT-X-PART-INF",
    "EXT-X-SERVER-CONTROL",
    "EXT-X-SKIP",
    "EXT-X-PRELOAD-HINT",
    "EXT-X-RENDITION-REPORT",
];

/// One line of the playlist, already trimmed (`\r` of CRLF endings included).
#[derive(Debug, Clone, Copy)]
enum Line<'a> {
    Blank,
    Comment,
    /// `#EXT<name>[:<value>]`, `name` without the `#`.
    Tag {
        name: &'a str,
        value: Option<&'a str>,
    },
    Uri(&'a str),
}

impl<'a> Line<'a> {
    fn classify(line: &'a str) -> Line<'a> {
        if line.is_empty() {
            Line::Blank
        } else if let Some(tag) = line.strip_prefix("#EXT") {
            // `tag` lost "#EXT"; give the name back its "EXT" (always 3 ASCII bytes).
            let whole = &line[1..];
            match tag.find(':') {
                Some(i) => Line::Tag { name: &whole[..i + 3], value: Some(&whole[i + 4..]) },
                None => Line::Tag { name: whole, value: None },
            }
        } else if line.starts_with('#') {
            Line::Comment
        } else {
            Line::Uri(line)
        }
    }
}

fn resolve(base: &str, reference: &str, line: usize) -> Result<String, ParseError> {
    resolve_error(uri::resolve(base, reference), reference, line)
}

fn resolve_error(resolved: Result<String, uri::InvalidUri>, reference: &str, line: usize) -> Result<String, ParseError> {
    resolved.map_err(|e| ParseError::new(line, format!("cannot resolve the URI {}: {e}", Quoted(reference))))
}

// ---------------------------------------------------------------------------------------
// Master playlists

fn parse_master(lines: &[(usize, Line)], base: &str, url: String) -> Result<MasterPlaylist, ParseError> {
    let mut master = MasterPlaylist {
        url,
        variants: Vec::new(),
        iframe_variants: Vec::new(),
        renditions: Vec::new(),
        independent_segments: false,
    };
    // An EXT-X-STREAM-INF waiting for its URI line. m3u8-rs trap: when it rejects a
    // tag it attaches the URI to the previous variant instead; here the tag is either
    // valid and gets exactly the next URI, or the parse fails at its line.
    let mut pending: Option<(usize, Variant)> = None;
    for &(n, line) in lines {
        match line {
            Line::Blank | Line::Comment => {}
            // A URI line that no EXT-X-STREAM-INF announces says nothing about any
            // variant: ignored, as hls.js and python-m3u8 do (see the module docs).
            Line::Uri(uri) => {
                if let Some((_, mut variant)) = pending.take() {
                    variant.url = resolve(base, uri, n)?;
                    master.variants.push(variant);
                }
            }
            Line::Tag { name, value } => match name {
                "EXT-X-STREAM-INF" => {
                    if let Some((at, _)) = pending {
                        return Err(ParseError::new(at, "EXT-X-STREAM-INF is not followed by a URI line"));
                    }
                    let attrs = Attributes::parse(name, value, n)?;
                    pending = Some((n, variant(&attrs, String::new())?));
                }
                "EXT-X-I-FRAME-STREAM-INF" => {
                    let attrs = Attributes::parse(name, value, n)?;
                    let uri = resolve(base, attrs.required("URI")?, n)?;
                    master.iframe_variants.push(variant(&attrs, uri)?);
                }
                "EXT-X-MEDIA" => {
                    let attrs = Attributes::parse(name, value, n)?;
                    master.renditions.push(rendition(&attrs, base)?);
                }
                "EXT-X-INDEPENDENT-SEGMENTS" => master.independent_segments = true,
                "EXT-X-VERSION" => {
                    integer(name, value, n)?;
                }
                _ if MEDIA_TAGS.contains(&name) => {
                    return Err(ParseError::new(
                        n,
                        format!("{name} is a media playlist tag in a master playlist (RFC 8216 §4.3.4)"),
                    ))
                }
                _ => {}
            },
        }
    }
    if let Some((at, _)) = pending {
        return Err(ParseError::new(at, "EXT-X-STREAM-INF is not followed by a URI line"));
    }
    Ok(master)
}

fn variant(attrs: &Attributes, url: String) -> Result<Variant, ParseError> {
    Ok(Variant {
        url,
        bandwidth: attrs.integer("BANDWIDTH")?.ok_or_else(|| attrs.error("the BANDWIDTH attribute is required"))?,
        average_bandwidth: attrs.integer("AVERAGE-BANDWIDTH")?,
        codecs: attrs.string("CODECS"),
        resolution: attrs.resolution("RESOLUTION")?,
        frame_rate: attrs.float("FRAME-RATE")?,
        // m3u8-rs keeps VIDEO-RANGE only in `other_attributes`.
        video_range: attrs.string("VIDEO-RANGE"),
        audio_group: attrs.string("AUDIO"),
        subtitles_group: attrs.string("SUBTITLES"),
    })
}

fn rendition(attrs: &Attributes, base: &str) -> Result<Rendition, ParseError> {
    let kind = match attrs.required("TYPE")? {
        "AUDIO" => RenditionType::Audio,
        "VIDEO" => RenditionType::Video,
        "SUBTITLES" => RenditionType::Subtitles,
        "CLOSED-CAPTIONS" => RenditionType::ClosedCaptions,
        other => return Err(attrs.error(format!("unknown TYPE {}", Quoted(other)))),
    };
    Ok(Rendition {
        kind,
        group_id: attrs.required("GROUP-ID")?.to_string(),
        name: attrs.required("NAME")?.to_string(),
        language: attrs.string("LANGUAGE"),
        url: attrs.get("URI").map(|uri| resolve(base, uri, attrs.line)).transpose()?,
        // m3u8-rs trap: it rejects the whole tag for anything but YES/NO (and for a
        // CLOSED-CAPTIONS rendition without INSTREAM-ID), losing the rendition silently.
        default: attrs.yes("DEFAULT"),
        autoselect: attrs.yes("AUTOSELECT"),
        channels: attrs.string("CHANNELS"),
    })
}

// ---------------------------------------------------------------------------------------
// Media playlists

/// What the tags since the last URI line say about the next segment.
#[derive(Default)]
struct NextSegment {
    /// `EXTINF` duration, read as f64 from the text.
    duration: Option<f64>,
    /// `EXT-X-BYTERANGE`: length, optional offset, line.
    range: Option<(u64, Option<u64>, usize)>,
    discontinuity: bool,
    program_date_time_ms: Option<i64>,
}

fn parse_media(lines: &[(usize, Line)], base: &str, url: String) -> Result<MediaPlaylist, ParseError> {
    let mut target_duration: Option<f64> = None;
    let mut media_sequence = 0u64;
    let mut discontinuity_sequence = 0u64;
    let mut skipped = 0u64;
    let mut playlist_type = PlaylistType::Live;
    let mut version = None;
    let mut endlist = false;
    let mut independent_segments = false;
    let mut parts = 0usize;
    let mut segments: Vec<Segment> = Vec::new();

    let mut next = NextSegment::default();
    // m3u8-rs trap: EXT-X-MAP and EXT-X-KEY are attached to the next segment only.
    // They apply to every segment until the next tag of the same kind.
    let mut init: Option<Resource> = None;
    let mut encryption: Option<Encryption> = None;
    // Where the last byte range of each resource ended, for `EXT-X-BYTERANGE:<n>`
    // without `@offset` (m3u8-rs leaves the offset out).
    let mut range_ends: crate::table::Table<String, u64> = crate::table::Table::new();
    let mut start = 0.0f64;
    let mut discontinuities = 0u64;
    // The last EXT-X-PROGRAM-DATE-TIME and the start time of its segment: later
    // segments get it plus the durations in between.
    let mut date_anchor: Option<(i64, f64)> = None;
    // The last URI resolved: consecutive segments often share theirs (one file
    // by byte ranges, as PeerTube's VOD playlists are), and resolving it again
    // for each was a third of the parse.
    let mut last_uri: Option<(&str, String)> = None;
    // Segments that do not share a URI (a live window) are mostly plain names
    // beside the playlist: the resolver works out the base's directory once.
    let resolver = uri::Resolver::new(base);

    for &(n, line) in lines {
        let (name, value) = match line {
            Line::Blank | Line::Comment => continue,
            Line::Uri(uri) => {
                let tags = std::mem::take(&mut next);
                let Some(duration) = tags.duration else {
                    // A URI line without EXTINF: dropped (see the module docs). m3u8-rs
                    // trap: it makes a 0-second segment of it. Its discontinuity, if
                    // any, still separates what came before from what follows.
                    next.discontinuity = tags.discontinuity;
                    continue;
                };
                let cached = last_uri.as_ref().filter(|(u, _)| *u == uri).map(|(_, url)| url.clone());
                let url = match cached {
                    Some(url) => url,
                    None => {
                        let url = resolve_error(resolver.resolve(uri), uri, n)?;
                        last_uri = Some((uri, url.clone()));
                        url
                    }
                };
                let range = match tags.range {
                    None => None,
                    Some((length, offset, at)) => {
                        let offset = match offset {
                            Some(offset) => offset,
                            None => *range_ends.get(&url).ok_or_else(|| {
                                ParseError::new(
                                    at,
                                    "EXT-X-BYTERANGE without an offset must follow a byte range of the same \
                                     resource (RFC 8216 §4.3.2.2)",
                                )
                            })?,
                        };
                        let end = offset
                            .checked_add(length)
                            .ok_or_else(|| ParseError::new(at, "the byte range ends past 2^64"))?;
                        range_ends.insert(url.clone(), end);
                        Some(ByteRange { offset, length })
                    }
                };
                if tags.discontinuity {
                    discontinuities += 1;
                }
                let program_date_time_ms = match tags.program_date_time_ms {
                    Some(ms) => {
                        date_anchor = Some((ms, start));
                        Some(ms)
                    }
                    None => date_anchor.map(|(ms, at)| ms.saturating_add(((start - at) * 1000.0).round() as i64)),
                };
                segments.push(Segment {
                    sequence: 0, // set below, once EXT-X-MEDIA-SEQUENCE is surely known
                    index: segments.len(),
                    duration,
                    start,
                    resource: Resource { url, range },
                    init: init.clone(),
                    encryption: encryption.clone(),
                    discontinuity: tags.discontinuity,
                    discontinuity_sequence: discontinuities,
                    program_date_time_ms,
                    line: n,
                });
                start += duration;
                continue;
            }
            Line::Tag { name, value } => (name, value),
        };
        match name {
            "EXTINF" => {
                // m3u8-rs trap: it keeps an f32. Reading the text as f64 keeps 4.004
                // as 4.004 and a sum over 10,000 segments exact to the microsecond.
                let text = value.unwrap_or("");
                let text = text.split(',').next().unwrap_or("").trim();
                match parse_f64(text) {
                    Some(d) if d.is_finite() && d >= 0.0 => next.duration = Some(d),
                    _ => {
                        return Err(ParseError::new(
                            n,
                            format!("EXTINF duration {} is not a non-negative number", Quoted(text)),
                        ))
                    }
                }
            }
            "EXT-X-TARGETDURATION" => {
                // m3u8-rs trap: `4.5` gives a target of 4 and a fake segment `.5`.
                // A decimal is accepted and rounded up; NaN, negative or empty are errors.
                let text = value.unwrap_or("").trim();
                match parse_f64(text) {
                    Some(d) if d.is_finite() && d >= 0.0 => target_duration = Some(d.ceil()),
                    _ => {
                        return Err(ParseError::new(
                            n,
                            format!("EXT-X-TARGETDURATION {} is not a non-negative number", Quoted(text)),
                        ))
                    }
                }
            }
            "EXT-X-MEDIA-SEQUENCE" => media_sequence = integer(name, value, n)?,
            "EXT-X-DISCONTINUITY-SEQUENCE" => discontinuity_sequence = integer(name, value, n)?,
            "EXT-X-VERSION" => version = Some(usize::try_from(integer(name, value, n)?).unwrap_or(usize::MAX)),
            "EXT-X-PLAYLIST-TYPE" => {
                playlist_type = match value.unwrap_or("").trim() {
                    "VOD" => PlaylistType::Vod,
                    "EVENT" => PlaylistType::Event,
                    other => return Err(ParseError::new(n, format!("unknown EXT-X-PLAYLIST-TYPE {}", Quoted(other)))),
                }
            }
            // m3u8-rs drops the segment tags that follow the last URI line; here every
            // line is read, and ENDLIST counts wherever it is (RFC 8216 §4.3.3.4 allows
            // it anywhere), after trailing tags or before the first segment.
            "EXT-X-ENDLIST" => endlist = true,
            "EXT-X-INDEPENDENT-SEGMENTS" => independent_segments = true,
            "EXT-X-DISCONTINUITY" => next.discontinuity = true,
            "EXT-X-BYTERANGE" => {
                let (length, offset) = byte_range(value.unwrap_or("").trim())
                    .ok_or_else(|| ParseError::new(n, "EXT-X-BYTERANGE must be <length>[@<offset>]"))?;
                next.range = Some((length, offset, n));
            }
            "EXT-X-KEY" => {
                let attrs = Attributes::parse(name, value, n)?;
                let method = attrs.required("METHOD")?;
                // m3u8-rs trap: it rejects METHOD=NONE without IV (its check is
                // inverted), so the key was never cleared. NONE clears it here.
                encryption = if method == "NONE" {
                    None
                } else {
                    let uri = attrs.get("URI").map(|uri| resolve(base, uri, n)).transpose()?;
                    Some(Encryption { method: method.to_string(), uri })
                };
            }
            "EXT-X-MAP" => {
                let attrs = Attributes::parse(name, value, n)?;
                let url = resolve(base, attrs.required("URI")?, n)?;
                let range = match attrs.get("BYTERANGE") {
                    None => None,
                    Some(text) => {
                        let (length, offset) =
                            byte_range(text).ok_or_else(|| attrs.error("BYTERANGE must be <length>[@<offset>]"))?;
                        let offset = offset.unwrap_or_else(|| range_ends.get(&url).copied().unwrap_or(0));
                        let end =
                            offset.checked_add(length).ok_or_else(|| attrs.error("the byte range ends past 2^64"))?;
                        range_ends.insert(url.clone(), end);
                        Some(ByteRange { offset, length })
                    }
                };
                init = Some(Resource { url, range });
            }
            "EXT-X-PROGRAM-DATE-TIME" => {
                // m3u8-rs trap: its strict RFC 3339 parse turns ffmpeg's
                // `2024-03-04T23:02:17.684+0000` into an unknown tag.
                let text = value.unwrap_or("").trim();
                let ms = date_time_ms(text).ok_or_else(|| {
                    ParseError::new(n, format!("EXT-X-PROGRAM-DATE-TIME {} is not an ISO 8601 date-time", Quoted(text)))
                })?;
                next.program_date_time_ms = Some(ms);
            }
            // LL-HLS: m3u8-rs makes unknown tags of the next segment of these, or drops
            // them after the last URI. Parts are counted, never played; the others only
            // matter to a low-latency client, except EXT-X-SKIP, which shifts the media
            // sequence numbers of the segments listed after it.
            "EXT-X-PART" => parts += 1,
            "EXT-X-SKIP" => {
                let attrs = Attributes::parse(name, value, n)?;
                skipped = skipped.saturating_add(
                    attrs
                        .integer("SKIPPED-SEGMENTS")?
                        .ok_or_else(|| attrs.error("the SKIPPED-SEGMENTS attribute is required"))?,
                );
            }
            "EXT-X-PRELOAD-HINT" | "EXT-X-SERVER-CONTROL" | "EXT-X-PART-INF" | "EXT-X-RENDITION-REPORT" => {}
            _ => {}
        }
    }

    let first_sequence = media_sequence.saturating_add(skipped);
    for segment in &mut segments {
        segment.sequence = first_sequence.saturating_add(segment.index as u64);
        segment.discontinuity_sequence = discontinuity_sequence.saturating_add(segment.discontinuity_sequence);
    }
    let target_duration =
        target_duration.unwrap_or_else(|| segments.iter().map(|s| s.duration).fold(0.0, f64::max).ceil());
    Ok(MediaPlaylist {
        url,
        version,
        target_duration,
        media_sequence,
        discontinuity_sequence,
        playlist_type,
        endlist,
        independent_segments,
        segments,
        parts,
    })
}

// ---------------------------------------------------------------------------------------
// Values

/// An attribute list (RFC 8216 §4.2) of one tag line, read by hand so that a
/// malformed list is an error at its line rather than, as in m3u8-rs, the end of the
/// tag and a fake URI made of the rest of the line.
struct Attributes<'a> {
    tag: &'a str,
    line: usize,
    /// Name, value without its quotes, whether it was quoted.
    list: Vec<(&'a str, &'a str, bool)>,
}

impl<'a> Attributes<'a> {
    fn parse(tag: &'a str, value: Option<&'a str>, line: usize) -> Result<Attributes<'a>, ParseError> {
        let mut attrs = Attributes { tag, line, list: Vec::new() };
        let mut rest = value.unwrap_or("").trim();
        while !rest.is_empty() {
            let eq = rest.find('=').ok_or_else(|| attrs.error(format!("expected NAME=value, found {}", Quoted(rest))))?;
            let name = rest[..eq].trim();
            if name.is_empty() || name.contains(',') {
                return Err(attrs.error(format!("expected NAME=value, found {}", Quoted(rest))));
            }
            let after = rest[eq + 1..].trim_start();
            let (value, quoted, after) = match after.strip_prefix('"') {
                Some(inner) => {
                    let end = inner
                        .find('"')
                        .ok_or_else(|| attrs.error(format!("the quoted value of {name} has no closing quote")))?;
                    (&inner[..end], true, &inner[end + 1..])
                }
                None => {
                    let end = after.find(',').unwrap_or(after.len());
                    let value = after[..end].trim_end();
                    if value.contains(char::is_whitespace) {
                        return Err(attrs.error(format!("expected ',' after the value of {name}")));
                    }
                    (value, false, &after[end..])
                }
            };
            let after = after.trim_start();
            rest = match after.strip_prefix(',') {
                Some(more) => more.trim_start(),
                None if after.is_empty() => after,
                None => return Err(attrs.error(format!("expected ',' after the value of {name}"))),
            };
            attrs.list.push((name, value, quoted));
        }
        Ok(attrs)
    }

    fn error(&self, message: impl std::fmt::Display) -> ParseError {
        ParseError::new(self.line, format!("{}: {message}", self.tag))
    }

    fn find(&self, name: &str) -> Option<(&'a str, bool)> {
        self.list.iter().find(|(n, ..)| *n == name).map(|&(_, v, q)| (v, q))
    }

    /// A string value, quoted or not (RFC 8216 says which, clients need not care).
    fn get(&self, name: &str) -> Option<&'a str> {
        self.find(name).map(|(v, _)| v)
    }

    fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    fn required(&self, name: &str) -> Result<&'a str, ParseError> {
        self.get(name).ok_or_else(|| self.error(format!("the {name} attribute is required")))
    }

    fn yes(&self, name: &str) -> bool {
        self.get(name) == Some("YES")
    }

    fn integer(&self, name: &str) -> Result<Option<u64>, ParseError> {
        match self.find(name) {
            None => Ok(None),
            Some((v, false)) if is_decimal(v) => {
                v.parse().map(Some).map_err(|_| self.error(format!("{name}={v} is out of range")))
            }
            Some((v, quoted)) => Err(self.error(format!("{name}={} is not a decimal integer", shown(v, quoted)))),
        }
    }

    fn float(&self, name: &str) -> Result<Option<f64>, ParseError> {
        match self.find(name) {
            None => Ok(None),
            Some((v, false)) => match parse_f64(v) {
                Some(f) if f.is_finite() && f >= 0.0 => Ok(Some(f)),
                _ => Err(self.error(format!("{name}={v} is not a non-negative number"))),
            },
            Some((v, true)) => Err(self.error(format!("{name}=\"{v}\" is not a number"))),
        }
    }

    fn resolution(&self, name: &str) -> Result<Option<Resolution>, ParseError> {
        let Some(text) = self.get(name) else { return Ok(None) };
        let parsed = text.split_once(['x', 'X']).and_then(|(w, h)| {
            let number = |s: &str| if is_decimal(s) { s.parse::<u32>().ok() } else { None };
            Some(Resolution { width: number(w)?, height: number(h)? })
        });
        parsed.map(Some).ok_or_else(|| self.error(format!("{name}={text} is not <width>x<height>")))
    }
}

fn shown(value: &str, quoted: bool) -> String {
    if quoted {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The decimal-integer value of a tag such as `EXT-X-MEDIA-SEQUENCE:<n>`.
fn integer(tag: &str, value: Option<&str>, line: usize) -> Result<u64, ParseError> {
    let text = value.unwrap_or("").trim();
    match text.parse() {
        Ok(v) if is_decimal(text) => Ok(v),
        _ => Err(ParseError::new(line, format!("{tag} {} is not a decimal integer", Quoted(text)))),
    }
}

/// `<length>[@<offset>]`, as in `EXT-X-BYTERANGE` and `EXT-X-MAP`'s `BYTERANGE`.
fn byte_range(text: &str) -> Option<(u64, Option<u64>)> {
    let number = |s: &str| if is_decimal(s) { s.parse::<u64>().ok() } else { None };
    match text.split_once('@') {
        Some((length, offset)) => Some((number(length)?, Some(number(offset)?))),
        None => Some((number(text)?, None)),
    }
}

/// An ISO 8601 date-time (`YYYY-MM-DDThh:mm:ss[.fff][Z|±hh[:mm]|±hhmm]`) as
/// milliseconds since the Unix epoch. Without a zone it is taken as UTC.
fn date_time_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let separator = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    let year = digits(0, 4)?;
    let month = digits(5, 2)?;
    let day = digits(8, 2)?;
    let hour = digits(11, 2)?;
    let minute = digits(14, 2)?;
    let second = digits(17, 2)?;
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if separator(i, b".,") {
        i += 1;
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - from < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == from {
            return None;
        }
        for _ in (i - from)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match b.get(i..)? {
        b"" | b"Z" | b"z" => 0,
        zone => {
            let sign = match zone[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours = digits(i + 1, 2)?;
            let minutes = match &zone[3..] {
                b"" => 0,
                [b':', ..] if zone.len() == 6 => digits(i + 4, 2)?,
                _ if zone.len() == 5 => digits(i + 3, 2)?,
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 60 + minutes)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = ((days * 24 + hour) * 60 + minute - offset_minutes) * 60 + second;
    Some(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://cdn.example/v/index.m3u8";

    fn media(text: &str) -> MediaPlaylist {
        match parse_playlist(text, BASE) {
            Ok(Playlist::Media(m)) => m,
            other => panic!("expected a media playlist, got {other:?}"),
        }
    }

    fn master(text: &str) -> MasterPlaylist {
        match parse_playlist(text, BASE) {
            Ok(Playlist::Master(m)) => m,
            other => panic!("expected a master playlist, got {other:?}"),
        }
    }

    fn error(text: &str) -> ParseError {
        match parse_playlist(text, BASE) {
            Err(e) => e,
            Ok(p) => panic!("expected an error, got {p:?}"),
        }
    }

    #[test]
    fn segments_sharing_a_uri_and_segments_that_do_not_each_resolve_to_their_own() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:10@0\na.mp4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10@10\na.mp4\n\
             #EXTINF:4,\n../b.mp4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10@20\na.mp4\n#EXTINF:4,\n a.mp4\n",
        );
        let got: Vec<&str> = m.segments.iter().map(|s| s.resource.url.as_str()).collect();
        let a = "https://cdn.example/v/a.mp4";
        assert_eq!(got, [a, a, "https://cdn.example/b.mp4", a, a]);
    }

    fn urls(m: &MediaPlaylist) -> Vec<&str> {
        m.segments.iter().map(|s| s.resource.url.as_str()).collect()
    }

    // --- m3u8-rs traps -------------------------------------------------------------

    #[test]
    fn map_and_key_are_carried_forward_until_the_next_one() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n\
             #EXT-X-MAP:URI=\"init-a.mp4\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n\
             #EXTINF:4,\na0.m4s\n#EXTINF:4,\na1.m4s\n\
             #EXT-X-MAP:URI=\"init-b.mp4\"\n#EXTINF:4,\nb0.m4s\n\
             #EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k2\"\n#EXTINF:4,\nb1.m4s\n",
        );
        let inits: Vec<_> = m.segments.iter().map(|s| s.init.as_ref().unwrap().url.as_str()).collect();
        assert_eq!(
            inits,
            [
                "https://cdn.example/v/init-a.mp4",
                "https://cdn.example/v/init-a.mp4",
                "https://cdn.example/v/init-b.mp4",
                "https://cdn.example/v/init-b.mp4"
            ]
        );
        let keys: Vec<_> = m.segments.iter().map(|s| s.encryption.as_ref().unwrap().method.as_str()).collect();
        assert_eq!(keys, ["AES-128", "AES-128", "AES-128", "SAMPLE-AES"]);
        assert_eq!(m.segments[1].encryption.as_ref().unwrap().uri.as_deref(), Some("https://cdn.example/v/k1"));
    }

    #[test]
    fn key_method_none_clears_the_key() {
        // m3u8-rs rejects METHOD=NONE without IV (its IV check is inverted).
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x01\n\
             #EXTINF:4,\ns0.ts\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:4,\ns1.ts\n#EXTINF:4,\ns2.ts\n",
        );
        assert!(m.segments[0].encryption.is_some());
        assert_eq!(m.segments[1].encryption, None);
        assert_eq!(m.segments[2].encryption, None);
    }

    #[test]
    fn decimal_target_duration_is_rounded_up_without_a_fake_segment() {
        let m = media("#EXTM3U\n#EXT-X-TARGETDURATION:4.5\n#EXTINF:4.5,\ns0.ts\n#EXT-X-ENDLIST\n");
        assert_eq!(m.target_duration, 5.0);
        assert_eq!(urls(&m), ["https://cdn.example/v/s0.ts"]);
        // The same prefix trap in the other numeric tags is an error at their line, not a segment.
        let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1.5\n#EXTINF:4,\ns0.ts\n");
        assert_eq!(e.line, 3);
        let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-DISCONTINUITY-SEQUENCE:x\n#EXTINF:4,\ns0.ts\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn endlist_after_trailing_tags_is_seen() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\ns0.ts\n\
             #EXT-X-CUE-IN\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2024-03-04T23:02:17.684Z\n\
             #EXT-X-ENDLIST",
        );
        assert!(m.endlist);
        assert_eq!(m.segments.len(), 1);
        // ENDLIST may be anywhere (RFC 8216 §4.3.3.4).
        let m = media("#EXTM3U\n#EXT-X-ENDLIST\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\ns0.ts\n");
        assert!(m.endlist && !m.is_live());
    }

    #[test]
    fn last_line_without_newline_is_not_a_segment() {
        // m3u8-rs turns an unterminated last tag line into a URI.
        let m = media("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\ns0.ts\n#EXT-X-CUE-IN");
        assert_eq!(m.segments.len(), 1);
        let m = media("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\ns0.ts");
        assert_eq!(urls(&m), ["https://cdn.example/v/s0.ts"]);
    }

    #[test]
    fn extinf_title_with_commas_is_not_a_segment() {
        // m3u8-rs reads the title up to the first comma and makes a URI of the rest.
        let m = media("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,title, with, commas\ns0.ts\n");
        assert_eq!(urls(&m), ["https://cdn.example/v/s0.ts"]);
        assert_eq!(m.segments[0].duration, 10.0);
    }

    #[test]
    fn ll_hls_tags_are_counted_never_segments() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-VERSION:9\n#EXT-X-MEDIA-SEQUENCE:266\n\
             #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n\
             #EXT-X-PART-INF:PART-TARGET=0.33334\n\
             #EXT-X-SKIP:SKIPPED-SEGMENTS=3\n\
             #EXTINF:4.00008,\nfileSequence269.mp4\n\
             #EXT-X-PART:DURATION=0.33334,URI=\"filePart270.0.mp4\",INDEPENDENT=YES\n\
             #EXT-X-PART:DURATION=0.33334,URI=\"filePart270.1.mp4\"\n\
             #EXTINF:4.00008,\nfileSequence270.mp4\n\
             #EXT-X-PART:DURATION=0.33334,URI=\"filePart271.0.mp4\"\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"filePart271.1.mp4\"\n\
             #EXT-X-RENDITION-REPORT:URI=\"../1M/waitForMSN.php\",LAST-MSN=273,LAST-PART=2\n",
        );
        assert_eq!(
            urls(&m),
            ["https://cdn.example/v/fileSequence269.mp4", "https://cdn.example/v/fileSequence270.mp4"]
        );
        assert_eq!(m.parts, 3);
        assert_eq!(m.segments.iter().map(|s| s.duration).collect::<Vec<_>>(), [4.00008, 4.00008]);
        // EXT-X-SKIP: the first listed segment is MEDIA-SEQUENCE + SKIPPED-SEGMENTS.
        assert_eq!(m.segments.iter().map(|s| s.sequence).collect::<Vec<_>>(), [269, 270]);
        assert_eq!(m.media_sequence, 266);
        assert!(m.segments.iter().all(|s| s.resource.range.is_none() && !s.discontinuity));
    }

    #[test]
    fn byterange_without_offset_follows_the_previous_range_of_the_same_resource() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"main.mp4\",BYTERANGE=\"720@0\"\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:1000\nmain.mp4\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:500\nmain.mp4\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:300@5000\nmain.mp4\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:200\nmain.mp4\n",
        );
        let ranges: Vec<_> = m.segments.iter().map(|s| s.resource.range.unwrap()).collect();
        assert_eq!(
            ranges,
            [
                ByteRange { offset: 720, length: 1000 },
                ByteRange { offset: 1720, length: 500 },
                ByteRange { offset: 5000, length: 300 },
                ByteRange { offset: 5300, length: 200 },
            ]
        );
        assert_eq!(ranges[0].end_inclusive(), 1719);
        assert_eq!(m.segments[3].init.as_ref().unwrap().range, Some(ByteRange { offset: 0, length: 720 }));
        // EXT-X-MAP's BYTERANGE without offset: at 0 when nothing of that resource came before.
        let m =
            media("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"720\"\n#EXTINF:4,\ns.mp4\n");
        assert_eq!(m.segments[0].init.as_ref().unwrap().range, Some(ByteRange { offset: 0, length: 720 }));
        // No previous range of the same resource: RFC 8216 §4.3.2.2 says fail, at the BYTERANGE line.
        let e = error(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10@0\na.ts\n\
             #EXTINF:4,\n#EXT-X-BYTERANGE:10\nb.ts\n",
        );
        assert_eq!(e.line, 7);
        assert_eq!(error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:10@\na.ts\n").line, 4);
    }

    #[test]
    fn extinf_durations_are_read_as_f64() {
        let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:5\n");
        for i in 0..10_000 {
            text.push_str(&format!("#EXTINF:4.004,\ns{i}.ts\n"));
        }
        let m = media(&text);
        assert_eq!(m.segments[0].duration, 4.004);
        assert!((m.total_duration() - 40_040.0).abs() < 1e-6, "{}", m.total_duration());
        assert!((m.segments[9_999].start - 40_035.996).abs() < 1e-6);
        assert_eq!(m.segments[9_999].end(), m.segments[9_999].start + 4.004);
    }

    // --- the rest of the model ------------------------------------------------------

    #[test]
    fn program_date_time_is_carried_forward() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:2,\nearly.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2024-03-04T23:02:17.684+0000\n#EXTINF:2.5,\ns0.ts\n#EXTINF:2.5,\ns1.ts\n\
             #EXTINF:2,\ns2.ts\n#EXT-X-PROGRAM-DATE-TIME:2016-06-22T09:20:16.166-04:00\n#EXTINF:2,\ns3.ts\n\
             #EXTINF:2,\ns4.ts\n",
        );
        let dates: Vec<_> = m.segments.iter().map(|s| s.program_date_time_ms).collect();
        assert_eq!(
            dates,
            [
                None,
                Some(1_709_593_337_684),
                Some(1_709_593_340_184),
                Some(1_709_593_342_684),
                Some(1_466_601_616_166),
                Some(1_466_601_618_166)
            ]
        );
    }

    #[test]
    fn date_times_in_the_usual_forms() {
        assert_eq!(date_time_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(date_time_ms("2024-03-04T23:02:17.684Z"), Some(1_709_593_337_684));
        assert_eq!(date_time_ms("2024-03-04T23:02:17.684+00:00"), Some(1_709_593_337_684));
        assert_eq!(date_time_ms("2024-03-04T23:02:17.6841234+0000"), Some(1_709_593_337_684));
        assert_eq!(date_time_ms("2018-12-31T09:47:22+08:00"), Some(1_546_220_842_000));
        assert_eq!(date_time_ms("2018-12-31T09:47:22+08"), Some(1_546_220_842_000));
        assert_eq!(date_time_ms("2000-02-29T12:00:00"), Some(951_825_600_000));
        assert_eq!(date_time_ms("1969-12-31T23:59:59.5Z"), Some(-500));
        for bad in ["", "2024-03-04", "2024-13-04T00:00:00Z", "2024-03-04T00:00:00.Z", "2024-03-04T00:00:00+5", "now"] {
            assert_eq!(date_time_ms(bad), None, "{bad}");
        }
        assert_eq!(error("#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n").line, 2);
    }

    #[test]
    fn discontinuities_count_from_the_discontinuity_sequence() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n#EXTINF:4,\ns0.ts\n\
             #EXT-X-DISCONTINUITY\n#EXTINF:4,\ns1.ts\n#EXTINF:4,\ns2.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:4,\ns3.ts\n",
        );
        let d: Vec<_> = m.segments.iter().map(|s| (s.discontinuity, s.discontinuity_sequence)).collect();
        assert_eq!(d, [(false, 7), (true, 8), (false, 8), (true, 9)]);
        assert_eq!(m.discontinuity_sequence, 7);
    }

    #[test]
    fn sequence_index_start_line_and_urls() {
        let m = media(
            "\u{feff}#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r\n#EXT-X-VERSION:3\r\n\r\n# a comment\r\n\
             #EXT-X-MEDIA-SEQUENCE:100\r\n#EXTINF:6.006,\r\nseg100.ts\r\n#EXTINF:5.5,\r\n\
             https://other.example/abs.ts?x=1\r\n#EXTINF:6,\r\n/root.ts\r\n#EXTINF:1,\r\n../up.ts",
        );
        let got: Vec<_> = m.segments.iter().map(|s| (s.sequence, s.index, s.start, s.line)).collect();
        assert_eq!(got, [(100, 0, 0.0, 8), (101, 1, 6.006, 10), (102, 2, 11.506, 12), (103, 3, 17.506, 14)]);
        assert_eq!(
            urls(&m),
            [
                "https://cdn.example/v/seg100.ts",
                "https://other.example/abs.ts?x=1",
                "https://cdn.example/root.ts",
                "https://cdn.example/up.ts"
            ]
        );
        assert_eq!((m.version, m.media_sequence, m.target_duration), (Some(3), 100, 6.0));
        assert_eq!(m.url, BASE);
    }

    #[test]
    fn playlist_types() {
        let of = |tag: &str| media(&format!("#EXTM3U\n#EXT-X-TARGETDURATION:4\n{tag}\n#EXTINF:4,\ns.ts\n"));
        assert_eq!(of("#EXT-X-PLAYLIST-TYPE:VOD").playlist_type, PlaylistType::Vod);
        assert_eq!(of("#EXT-X-PLAYLIST-TYPE:EVENT").playlist_type, PlaylistType::Event);
        let live = of("#EXT-X-INDEPENDENT-SEGMENTS");
        assert_eq!(live.playlist_type, PlaylistType::Live);
        assert!(live.is_live() && live.independent_segments);
        assert_eq!(error("#EXTM3U\n#EXT-X-PLAYLIST-TYPE:LIVE\n").line, 2);
    }

    #[test]
    fn master_playlist_variants_renditions_and_iframes() {
        let m = master(
            "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n\
             #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/en.m3u8\"\n\
             #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Français\",LANGUAGE=\"fr\",URI=\"subs/fr.m3u8\"\n\
             #EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",DEFAULT=yes\n\
             #EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1800000,CODECS=\"avc1.64001f,mp4a.40.2\",\
             RESOLUTION=1280x720,FRAME-RATE=29.970,VIDEO-RANGE=PQ,AUDIO=\"aud\",SUBTITLES=\"subs\",CLOSED-CAPTIONS=\"cc\"\n\
             720/index.m3u8\n\
             #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS=\"avc1.64001f\",URI=\"720/iframes.m3u8\"\n\
             #EXT-X-STREAM-INF:BANDWIDTH=500000\n\
             https://other.example/360.m3u8\n",
        );
        assert!(m.independent_segments);
        assert_eq!(m.variants.len(), 2);
        assert_eq!(
            m.variants[0],
            Variant {
                url: "https://cdn.example/v/720/index.m3u8".into(),
                bandwidth: 2_000_000,
                average_bandwidth: Some(1_800_000),
                codecs: Some("avc1.64001f,mp4a.40.2".into()),
                resolution: Some(Resolution { width: 1280, height: 720 }),
                frame_rate: Some(29.97),
                video_range: Some("PQ".into()),
                audio_group: Some("aud".into()),
                subtitles_group: Some("subs".into()),
            }
        );
        assert_eq!(m.variants[1].url, "https://other.example/360.m3u8");
        assert_eq!(m.iframe_variants.len(), 1);
        assert_eq!(m.iframe_variants[0].url, "https://cdn.example/v/720/iframes.m3u8");
        assert_eq!(m.iframe_variants[0].bandwidth, 90_000);
        let kinds: Vec<_> = m.renditions.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [RenditionType::Audio, RenditionType::Subtitles, RenditionType::ClosedCaptions]);
        let audio = &m.renditions[0];
        assert_eq!(audio.url.as_deref(), Some("https://cdn.example/v/audio/en.m3u8"));
        assert!(audio.default && audio.autoselect);
        assert_eq!((audio.group_id.as_str(), audio.name.as_str()), ("aud", "English"));
        assert_eq!((audio.language.as_deref(), audio.channels.as_deref()), (Some("en"), Some("2")));
        assert_eq!(m.renditions[1].name, "Français");
        assert!(!m.renditions[2].default && m.renditions[2].url.is_none());
    }

    #[test]
    fn a_stream_inf_uri_never_goes_to_another_variant() {
        // m3u8-rs rejects a STREAM-INF without BANDWIDTH and gives its URI to the previous variant.
        let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-STREAM-INF:PROGRAM-ID=1\nb.m3u8\n");
        assert_eq!(e.line, 4);
        assert!(e.message.contains("BANDWIDTH"), "{e}");
        assert_eq!(error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n").line, 2);
        assert_eq!(error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n").line, 2);
        // A URI line that no STREAM-INF announces is ignored.
        let m = master("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"a\",URI=\"a.m3u8\"\na.m3u8\n");
        assert!(m.variants.is_empty());
    }

    #[test]
    fn uri_without_extinf_is_dropped() {
        let m = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n001.ts\n#EXT-X-DISCONTINUITY\n002.ts\n#EXTINF:7,\n003.ts\n004.ts\n",
        );
        assert_eq!(urls(&m), ["https://cdn.example/v/003.ts"]);
        assert_eq!(m.segments[0].index, 0);
        // The dropped line's discontinuity still separates what follows.
        assert!(m.segments[0].discontinuity);
    }

    #[test]
    fn missing_target_duration_is_inferred() {
        let m = media("#EXTM3U\n#EXTINF:4.2,\na.ts\n#EXTINF:6.5,\nb.ts\n");
        assert_eq!(m.target_duration, 7.0);
        assert_eq!(media("#EXTM3U\n").target_duration, 0.0);
    }

    #[test]
    fn errors_name_the_line_at_fault() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "empty"),
            ("\n\n", 1, "empty"),
            ("#EXT-X-TARGETDURATION:4\n", 1, "#EXTM3U"),
            ("# comment\n#EXTM3U\n", 1, "comment"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:abc,\ns.ts\n", 3, "EXTINF"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:-1,\ns.ts\n", 3, "EXTINF"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:NaN,\ns.ts\n", 3, "EXTINF"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:NaN\n", 2, "TARGETDURATION"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:-10\n", 2, "TARGETDURATION"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:\n", 2, "TARGETDURATION"),
            ("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-11\n", 2, "MEDIA-SEQUENCE"),
            ("#EXTM3U\n#EXT-X-VERSION:NaN\n", 2, "VERSION"),
            ("#EXTM3U\n#EXT-X-BYTERANGE:abc\n", 2, "BYTERANGE"),
            ("#EXTM3U\n#EXT-X-KEY:URI=\"k\"\n", 2, "METHOD"),
            ("#EXTM3U\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n", 2, "URI"),
            ("#EXTM3U\n#EXT-X-MAP:URI=\"i.mp4\n", 2, "quote"),
            ("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128 URI=\"k\"\n", 2, "EXT-X-KEY"),
            ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=\"x\"\na.m3u8\n", 2, "BANDWIDTH"),
            ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=big\na.m3u8\n", 2, "RESOLUTION"),
            ("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"a\"\n", 2, "GROUP-ID"),
            ("#EXTM3U\n#EXT-X-MEDIA:TYPE=MUSIC,GROUP-ID=\"a\",NAME=\"a\"\n", 2, "TYPE"),
            ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXTINF:4,\n", 4, "master"),
            ("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nhttp://[::1\n", 4, "resolve"),
        ];
        for &(text, line, needle) in cases {
            let e = error(text);
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(needle), "{text:?}: {e} should mention {needle}");
        }
        assert_eq!(parse_playlist("#EXTM3U\n", "index.m3u8").unwrap_err().line, 0);
    }

    #[test]
    fn never_panics_on_the_corpus_its_truncations_or_garbage() {
        let mut inputs: Vec<String> = Vec::new();
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/playlists"));
        match std::fs::read_dir(dir) {
            Ok(owners) => {
                for owner in owners.flatten() {
                    for file in std::fs::read_dir(owner.path()).into_iter().flatten().flatten() {
                        if let Ok(bytes) = std::fs::read(file.path()) {
                            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
                        }
                    }
                }
            }
            Err(_) => println!("corpus absent at {}: garbage only", dir.display()),
        }
        // Pseudo-random playlists of playlist-ish fragments and bytes (a fixed LCG).
        let fragments = [
            "#EXTM3U\n",
            "#EXTINF:",
            "4.5,",
            "#EXT-X-BYTERANGE:",
            "100@",
            "\n",
            "\r\n",
            "seg.ts",
            "\"",
            "=",
            ",",
            "#EXT-X-MAP:URI=",
            "#EXT-X-KEY:METHOD=",
            "#EXT-X-STREAM-INF:BANDWIDTH=",
            "#EXT-X-MEDIA:TYPE=",
            "#EXT-X-PROGRAM-DATE-TIME:2024-03-04T23:02:17",
            "+0000",
            "#EXT-X-SKIP:SKIPPED-SEGMENTS=",
            "18446744073709551615",
            "-",
            "é",
            "\u{feff}",
            "#EXT-X-PART:",
            "http://[",
            "#",
            ":",
            "x",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut text = String::from("#EXTM3U\n");
            for _ in 0..(state % 40) {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push_str(fragments[(state >> 33) as usize % fragments.len()]);
            }
            inputs.push(text);
        }
        let mut runs = 0;
        for text in &inputs {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            // Every prefix of small inputs; about 200 prefixes of large ones.
            let step = (boundaries.len() / 200).max(1);
            for &cut in boundaries.iter().step_by(step) {
                let prefix = &text[..cut];
                let result = std::panic::catch_unwind(|| parse_playlist(prefix, BASE));
                assert!(result.is_ok(), "panic on {prefix:?}");
                runs += 1;
            }
        }
        assert!(runs > 2000);
    }
}
