// The shadow root's markup. Texts come from i18n: `data-i18n` names the key of an
// element's text, `data-i18n-label` the key of its aria-label (and tooltip).

import { ICONS } from "./icons.js";
import { STYLES } from "./styles.js";

// An icon button is named by aria-label; a button that shows its value as text
// ("1.5×", "Auto (480p)") is named by a hidden word before it, so that the name
// includes what is seen (WCAG 2.5.3, label in name).
const menu = (name, icon, label, showsValue = false) => `
  <div class="menu-wrap">
    <button class="${name}-button" type="button" aria-haspopup="menu" aria-expanded="false" ${showsValue
      ? `><span class="visually-hidden" data-i18n="${label}"></span> ${icon}` : `data-i18n-label="${label}">${icon}`}</button>
    <div class="menu ${name}-menu" role="menu" data-i18n-label="${label}" hidden></div>
  </div>`;

export const TEMPLATE = `
<style>${STYLES}</style>
<div class="root">
  <video part="video" playsinline crossorigin="anonymous"></video>
  <div class="spinner" role="status" data-i18n-label="loading" hidden></div>
  <div class="notice privacy" hidden>
    <span data-i18n="privacyNotice"></span>
    <button class="privacy-off" type="button" data-i18n="turnOffP2p"></button>
    <button class="privacy-dismiss" type="button" data-i18n="dismiss"></button>
  </div>
  <section class="panel p2p-panel" data-i18n-label="p2pPanel" hidden>
    <h2 data-i18n="p2pPanel"></h2>
    <button class="close" type="button" data-i18n-label="close">${ICONS.close}</button>
    <dl class="p2p-figures"></dl>
    <p class="p2p-state"></p>
    <p><button class="p2p-toggle" type="button"></button></p>
  </section>
  <section class="panel nerd-panel" data-i18n-label="statsForNerds" hidden>
    <h2 data-i18n="statsForNerds"></h2>
    <button class="close" type="button" data-i18n-label="close">${ICONS.close}</button>
    <dl class="nerd-figures"></dl>
  </section>
  <form class="password" hidden>
    <input type="text" autocomplete="username" hidden aria-hidden="true" tabindex="-1">
    <p class="password-title" data-i18n="passwordTitle"></p>
    <p class="password-message" data-i18n="passwordMessage"></p>
    <p class="password-error" role="alert" hidden data-i18n="passwordWrong"></p>
    <input class="password-input" type="password" autocomplete="current-password" data-i18n-label="password">
    <button class="password-submit" type="submit" data-i18n="passwordSubmit"></button>
  </form>
  <p class="notice live-ended" role="status" data-i18n="liveEnded" hidden></p>
  <div class="error" role="alert">
    <p class="error-title"></p>
    <p class="message"></p>
    <button class="retry" type="button" data-i18n="retry"></button>
  </div>
  <div class="bar" part="controls">
    <div class="seekbar" role="slider" tabindex="0" data-i18n-label="seek" aria-valuemin="0" aria-valuemax="0" aria-valuenow="0">
      <div class="track"><div class="ranges"></div><div class="hovered"></div><div class="played"></div><div class="markers"></div><div class="handle"></div></div>
      <div class="tooltip" hidden>
        <div class="thumbnail" hidden></div>
        <span class="tooltip-chapter"></span>
        <span class="tooltip-time"></span>
      </div>
    </div>
    <div class="row">
      <button class="play" type="button" data-i18n-label="play">${ICONS.play}</button>
      <button class="mute" type="button" data-i18n-label="mute">${ICONS.volume}</button>
      <input class="volume" type="range" min="0" max="1" step="0.05" value="1" data-i18n-label="volume">
      <span class="time">0:00</span>
      <span class="badge live-badge" data-i18n="live" hidden></span>
      <button class="back-to-live text-button" type="button" data-i18n="backToLive" hidden></button>
      <span class="spacer"></span>
      ${menu("captions", ICONS.captions, "captions")}
      ${menu("speed", `<span class="speed-label">1×</span>`, "speed", true)}
      ${menu("quality", `<span class="quality-label"></span>`, "quality", true)}
      <button class="p2p-button" type="button" aria-expanded="false" data-i18n-label="p2pPanel">${ICONS.p2p}</button>
      <button class="stats-button" type="button" aria-expanded="false" data-i18n-label="statsForNerds">${ICONS.stats}</button>
      <button class="pip" type="button" data-i18n-label="pip" hidden>${ICONS.pip}</button>
      <button class="fullscreen" type="button" data-i18n-label="fullscreen">${ICONS.fullscreen}</button>
    </div>
  </div>
</div>`;

/** Put `t`'s words into every data-i18n / data-i18n-label element under `root`. */
export function applyLanguage(root, t) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    if (el.tagName === "BUTTON") el.title = t(el.dataset.i18nLabel);
  }
}
