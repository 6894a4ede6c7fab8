// Which headline an error gets (an i18n key); the engine's own message goes
// beneath it, for whoever has to fix the server.

/**
 * kind: the Player's error kind ("network", "unsupported", "playlist", "media",
 * "integrity"), or "other"; severalSources: the video had mirrors besides its origin
 * (the engine gives up on a network error only once every one of them failed).
 */
export function describeError(kind, severalSources = false) {
  if (kind === "network") return severalSources && navigator.onLine ? "errSources" : "errNetwork";
  return { unsupported: "errUnsupported", playlist: "errPlaylist", media: "errMedia" }[kind] || "errOther";
}
