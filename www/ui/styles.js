// The shadow root's CSS. Colours meet WCAG AA contrast on the dark overlay;
// sizes keep every control at least 32 px (touch) and the bar fits 320 px.

export const STYLES = `
:host { display: block; position: relative; background: #000; color: #fff;
        font: 14px/1.3 system-ui, sans-serif; container-type: inline-size; overflow: hidden; }
:host([hidden]) { display: none; }
.root { position: relative; width: 100%; height: 100%; }
video { display: block; width: 100%; height: 100%; max-height: 100vh; background: #000; }
button { background: transparent; color: #fff; border: 0; border-radius: 4px; padding: 4px 6px;
         font: inherit; cursor: pointer; min-width: 32px; min-height: 32px; }
button:hover { background: rgba(255,255,255,.15); }
:focus-visible { outline: 2px solid #8cc4ff; outline-offset: 1px; }
svg { width: 20px; height: 20px; fill: currentColor; vertical-align: middle; pointer-events: none; }
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

.bar { position: absolute; left: 0; right: 0; bottom: 0; padding: 0 6px 4px;
       background: linear-gradient(transparent, rgba(0,0,0,.85) 40%); transition: opacity .3s; }
.root[data-idle] .bar:not(:focus-within) { opacity: 0; }
.root[data-idle] { cursor: none; }
:host([controls="0"]) .bar, :host([controls="false"]) .bar { display: none; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; }
.spacer { flex: 1; }
.time { font-variant-numeric: tabular-nums; white-space: nowrap; padding: 0 6px; }
.volume { width: 70px; accent-color: #fff; }
@container (max-width: 420px) { .volume { display: none; } .time { padding: 0 2px; } }
.badge { background: #c00; color: #fff; font-weight: 700; font-size: 12px; padding: 2px 6px; border-radius: 3px; }
.badge[data-behind] { background: #555; }
.text-button { font-size: 13px; white-space: nowrap; }

.seekbar { position: relative; height: 24px; cursor: pointer; touch-action: none; }
.track { position: absolute; left: 0; right: 0; top: 10px; height: 4px; background: rgba(255,255,255,.3); }
.seekbar:hover .track, .seekbar[data-dragging] .track { top: 9px; height: 6px; }
.buffered, .played, .hovered { position: absolute; top: 0; bottom: 0; }
.buffered { background: rgba(255,255,255,.45); }
.hovered { left: 0; background: rgba(255,255,255,.25); }
.played { left: 0; background: #e33; }
.marker { position: absolute; top: 0; bottom: 0; width: 3px; margin-left: -1px; background: #000; }
.handle { position: absolute; top: 50%; width: 12px; height: 12px; margin: -6px 0 0 -6px; border-radius: 50%; background: #e33; }
.seekbar:focus-visible { outline-offset: -2px; }
.tooltip { position: absolute; bottom: 26px; transform: translateX(-50%); display: flex; flex-direction: column;
           align-items: center; gap: 2px; pointer-events: none; text-shadow: 0 0 3px #000; }
.thumbnail { border: 2px solid #fff; background-repeat: no-repeat; background-color: #000; }
.tooltip-chapter { font-weight: 600; max-width: 240px; text-align: center; }

.context-menu { position: absolute; min-width: 220px; background: rgba(20,20,20,.95); border-radius: 6px; padding: 4px 0; z-index: 5; }
.context-menu[hidden] { display: none; }
.context-menu button { display: block; width: 100%; text-align: left; border-radius: 0; padding: 6px 12px 6px 28px; white-space: nowrap; position: relative; }
.context-menu button[aria-checked="true"]::before { content: "✓"; position: absolute; left: 10px; }
.menu-wrap { position: relative; }
.menu { position: absolute; right: 0; bottom: 40px; min-width: 130px; max-height: 60cqh; overflow: auto;
        background: rgba(20,20,20,.95); border-radius: 6px; padding: 4px 0; z-index: 3; }
.menu button { display: block; width: 100%; text-align: left; border-radius: 0; padding: 6px 12px 6px 28px; white-space: nowrap; }
.menu button[aria-checked="true"]::before { content: "✓"; position: absolute; left: 10px; }

.panel { position: absolute; top: 8px; left: 8px; max-width: calc(100% - 16px); max-height: calc(100% - 80px); overflow: auto;
         background: rgba(20,20,20,.92); border-radius: 6px; padding: 8px 12px; z-index: 2; font-size: 13px; }
.notice:not([hidden]) ~ .panel { top: 48px; max-height: calc(100% - 120px); }
.panel h2 { font-size: 14px; margin: 0 32px 6px 0; }
.panel .close { position: absolute; top: 4px; right: 4px; }
.panel dl { display: grid; grid-template-columns: auto auto; gap: 2px 12px; margin: 0; }
.panel dt { color: #ccc; } .panel dd { margin: 0; font-variant-numeric: tabular-nums; }
.panel p { margin: 6px 0 0; }

.notice { position: absolute; top: 0; left: 0; right: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 6px;
          padding: 4px 8px; background: rgba(0,0,0,.8); font-size: 13px; z-index: 1; }
.notice span { flex: 1 1 160px; }
.notice button { text-decoration: underline; }

.spinner { position: absolute; left: 50%; top: 50%; width: 48px; height: 48px; margin: -24px; border-radius: 50%;
           border: 4px solid rgba(255,255,255,.3); border-top-color: #fff; animation: spin 1s linear infinite; pointer-events: none; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }

.error { position: absolute; inset: 0; display: none; align-items: center; justify-content: center;
         text-align: center; padding: 20px; background: rgba(0,0,0,.88); z-index: 4; }
.error[data-shown] { display: flex; flex-direction: column; gap: 8px; }
.error-title { font-size: 16px; font-weight: 600; margin: 0; }
.message { margin: 0; color: #ddd; font-size: 12px; overflow-wrap: anywhere; max-width: 100%; }
.retry { border: 1px solid #fff; padding: 6px 16px; }
.password { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center;
  gap: 8px; background: rgba(0, 0, 0, 0.85); color: #fff; text-align: center; padding: 16px; z-index: 3; }
.password[hidden] { display: none; }
.password p { margin: 0; }
.password-title { font-size: 16px; font-weight: 600; }
.password-error { color: #ffb4a8; }
.password-input { padding: 6px 8px; min-width: 200px; font: inherit; }
.password-submit { border: 1px solid #fff; padding: 6px 16px; }
`;
