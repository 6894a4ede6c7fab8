// What every UI module shares: the shadow root, the <video>, the translator and
// the element (whose `.player` is the wasm Player, null until it exists).

/** Build the context object passed to each UI module's `setup*`. */
export function makeContext(element, shadow, t) {
  const ctx = {
    element,
    shadow,
    video: shadow.querySelector("video"),
    t,
    $: (selector) => shadow.querySelector(selector),
    /** Give `el` the accessible name (and tooltip) of i18n key `key`, now and on language changes. */
    label(el, key) {
      el.dataset.i18nLabel = key;
      el.setAttribute("aria-label", ctx.t(key));
      if (el.tagName === "BUTTON") el.title = ctx.t(key);
    },
    /** The Player, or null. */
    get player() { return element.player; },
  };
  return ctx;
}
