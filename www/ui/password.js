// The prompt a password-protected PeerTube video needs (PeerTube's own words):
// shown when the instance answers `video_requires_password`, again with an
// error line for `incorrect_video_password`; the viewer's entry goes to `onSubmit`.

export function setupPassword(ctx, { onSubmit }) {
  const form = ctx.$(".password"), input = ctx.$(".password-input"), wrong = ctx.$(".password-error");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!input.value) return;
    form.hidden = true;
    onSubmit(input.value);
  });
  return {
    /** Ask for the password; `incorrect`: the last one was refused. */
    ask(incorrect) {
      wrong.hidden = !incorrect;
      form.hidden = false;
      input.value = "";
      input.focus();
    },
    hide() { form.hidden = true; },
  };
}
