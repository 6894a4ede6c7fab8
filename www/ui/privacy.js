// P2P's privacy side: with P2P on, a one-line notice that other viewers can see
// the viewer's IP address, and a way to turn P2P off that the next visit keeps
// (localStorage, per origin).

const KEY = "tubeswarm.p2p";

/** Whether the viewer turned P2P off on this site before. */
export function p2pRefused() {
  try {
    return localStorage.getItem(KEY) === "off";
  } catch {
    return false; // storage blocked (sandboxed iframe): nothing remembered
  }
}

export function rememberP2p(on) {
  try {
    if (on) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, "off");
  } catch { /* storage blocked: the choice lasts this page only */ }
}

export function setupPrivacy(ctx, { onP2pOff }) {
  const notice = ctx.$(".privacy");
  let dismissed = false;
  ctx.$(".privacy-off").addEventListener("click", () => onP2pOff());
  ctx.$(".privacy-dismiss").addEventListener("click", () => { dismissed = true; notice.hidden = true; });
  return {
    /** Show the notice while the engine has P2P on (until the viewer dismisses it). */
    show(p2pOn) { notice.hidden = !p2pOn || dismissed; },
  };
}
