// Caption files as <track> elements on the <video>: the browser fetches, parses
// and draws the WebVTT itself. Sources: the `captions` attribute or property,
// PeerTube's API, and the master playlist's SUBTITLES group (player.captions()).

/**
 * The `captions` attribute: whitespace-separated `url` or `lang=url` entries.
 *
 *     parseCaptionsAttribute("en=subs/en.vtt fr=subs/fr.vtt")
 *     // → [{language: "en", src: "subs/en.vtt"}, {language: "fr", src: "subs/fr.vtt"}]
 */
export function parseCaptionsAttribute(text) {
  return String(text || "").split(/\s+/).filter(Boolean).map((entry) => {
    const m = entry.match(/^([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)=(.+)$/);
    return m ? { language: m[1], src: m[2] } : { language: "", src: entry };
  });
}

/** A language's name in the UI's language ("fr" → "French" in English). */
function languageName(language, uiLang) {
  try {
    return new Intl.DisplayNames([uiLang], { type: "language" }).of(language);
  } catch {
    return language;
  }
}

/**
 * Replace the video's caption tracks by `list` ([{src, language?, label?, default?}]),
 * one per distinct URL; a track that was showing stays showing. `preferred`: the
 * viewer's last choice (a language, or "off"), over the list's defaults.
 */
export function setCaptionTracks(video, list, uiLang, preferred = null) {
  const showing = [...video.querySelectorAll("track")].find((el) => el.track.mode === "showing")?.src;
  for (const el of video.querySelectorAll("track")) el.remove();
  const seen = new Set();
  for (const c of list) {
    const src = new URL(c.src, document.baseURI).href;
    if (seen.has(src)) continue;
    seen.add(src);
    const el = document.createElement("track");
    el.kind = "subtitles";
    el.src = src;
    if (c.language) el.srclang = c.language;
    el.label = c.label || (c.language ? languageName(c.language, uiLang) : src.split("/").pop());
    video.append(el);
    const wanted = preferred ? preferred !== "off" && c.language === preferred : c.default;
    el.track.mode = src === showing || (wanted && !showing) ? "showing" : "disabled";
  }
}
