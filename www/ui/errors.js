// Which headline an error gets (an i18n key); the engine's own message goes
// beneath it, for whoever has to fix the server.

/**
 * kind: the Player's error kind ("network", "unsupported", "playlist", "media",
 * "integrity"), or "other"; sourcesFailed: some origin or mirror failed before.
 */
export function describeError(kind, sourcesFailed = false) {
  if (kind === "network") return sourcesFailed && navigator.onLine ? "errSources" : "errNetwork";
  return { unsupported: "errUnsupported", playlist: "errPlaylist", media: "errMedia" }[kind] || "errOther";
}
