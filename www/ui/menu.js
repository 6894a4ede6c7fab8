// A popup menu of radio items under a button (WAI-ARIA menu button pattern):
// Enter/Space/click opens it on the checked item, ↑/↓ move, Escape closes.

const open = new Set();

/** Close every open menu of every player but `except`. */
function closeOthers(except) {
  for (const m of open) if (m !== except) m.close(false);
}
document.addEventListener("pointerdown", (e) => {
  for (const m of open) if (!e.composedPath().includes(m.wrap)) m.close(false);
});

/**
 * The menu `.${name}-menu` beside `.${name}-button`.
 *
 *     const menu = makeMenu(ctx, "speed", (value) => { video.playbackRate = value; });
 *     menu.setItems([{ label: "1.5×", value: 1.5, checked: false }]);
 */
export function makeMenu(ctx, name, onSelect) {
  const button = ctx.$(`.${name}-button`), list = ctx.$(`.${name}-menu`);
  const items = () => [...list.querySelectorAll("button")];
  const self = {
    wrap: button.parentElement,
    open() {
      closeOthers(self);
      list.hidden = false;
      button.setAttribute("aria-expanded", "true");
      open.add(self);
      (items().find((b) => b.getAttribute("aria-checked") === "true") || items()[0])?.focus();
    },
    close(focusButton = true) {
      if (list.hidden) return;
      list.hidden = true;
      button.setAttribute("aria-expanded", "false");
      open.delete(self);
      if (focusButton) button.focus();
    },
    setItems(entries) {
      list.replaceChildren(...entries.map((entry) => {
        const b = document.createElement("button");
        b.type = "button";
        b.setAttribute("role", "menuitemradio");
        b.setAttribute("aria-checked", String(Boolean(entry.checked)));
        b.tabIndex = -1;
        b.textContent = entry.label;
        b.dataset.value = String(entry.value);
        b.addEventListener("click", () => { onSelect(entry.value); self.close(); });
        return b;
      }));
      button.hidden = entries.length === 0;
    },
    check(value) {
      for (const b of items()) b.setAttribute("aria-checked", String(b.dataset.value === String(value)));
    },
  };
  button.addEventListener("click", () => (list.hidden ? self.open() : self.close()));
  list.addEventListener("keydown", (e) => {
    const all = items(), at = all.indexOf(e.target);
    const move = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (move) all[(at + move + all.length) % all.length]?.focus();
    else if (e.key === "Home") all[0]?.focus();
    else if (e.key === "End") all.at(-1)?.focus();
    else if (e.key === "Escape" || e.key === "Tab") self.close(e.key === "Escape");
    else return;
    if (e.key !== "Tab") e.preventDefault();
    // The player's shortcuts must not act on keys the menu used.
    e.stopPropagation();
  });
  button.hidden = true;
  return self;
}
