// The embed's side of the postMessage channel that @peertube/embed-api speaks.
//
// The host (embed-api's PeerTubePlayer) uses jschannel, which is unmaintained
// (last release 2013) and small; its embed side comes down to the few message
// shapes below, so it is written here rather than vendored. Every message is a
// JSON string posted with target origin "*" (as PeerTube does: the embed cannot
// know its host's origin):
//   handshake    {method: "<scope>::__ready", params: {type: "publish-request" | "publish-reply", publish: []}}
//   call         {id, method: "<scope>::<name>", params}   → reply {id, result} or {id, error, message}
//   notification {method: "<scope>::<name>", params}       (our events: ready, playbackStatusUpdate, …)
// Each side sends a publish-request when it starts; whichever arrives (the other
// side may not be listening yet) is answered with a publish-reply, and from then
// on both are connected.
//
//   const channel = new EmbedChannel({ scope: "peertube" });
//   channel.bind("getVolume", () => video.volume);
//   channel.notify("volumeChange", 0.5);

export class EmbedChannel {
  /** `target`: the host window (the parent frame); `scope`: the embed URL's `scope` param. */
  constructor({ target = window.parent, scope = "peertube" } = {}) {
    this.target = target;
    this.scope = scope;
    this.handlers = new Map();
    this.connected = false;
    // Notifications before the host connects: only the latest of each kind is
    // kept (a status posted every 500 ms to nobody must not pile up).
    this.pending = new Map();
    this.onMessage = (event) => this.receive(event);
    window.addEventListener("message", this.onMessage);
    this.post({ method: this.qualified("__ready"), params: { type: "publish-request", publish: [] } });
  }

  /** Answer calls of `method` with `handler(params)` (a value or a Promise). */
  bind(method, handler) {
    this.handlers.set(method, handler);
    return this;
  }

  /** Send an event to the host (held until it connects). */
  notify(method, params) {
    if (!this.connected) {
      this.pending.delete(method);
      this.pending.set(method, params);
      return;
    }
    this.post({ method: this.qualified(method), params });
  }

  destroy() {
    window.removeEventListener("message", this.onMessage);
    this.handlers.clear();
    this.pending.clear();
  }

  qualified(method) {
    return `${this.scope}::${method}`;
  }

  post(message) {
    // JSON text, as jschannel reads it (it ignores anything that is not).
    this.target.postMessage(JSON.stringify(message), "*");
  }

  receive(event) {
    if (event.source !== this.target || typeof event.data !== "string") return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message || typeof message.method !== "string") return;
    const [scope, method] = message.method.split("::");
    if (scope !== this.scope || !method) return;
    if (method === "__ready") return this.handshake(message.params);
    if (message.id === undefined) return; // a notification: the host sends none we use
    this.answer(message.id, method, message.params);
  }

  handshake(params) {
    if (params && params.type === "publish-request") {
      this.post({ method: this.qualified("__ready"), params: { type: "publish-reply", publish: [] } });
    }
    if (this.connected) return;
    this.connected = true;
    for (const [method, value] of this.pending) this.post({ method: this.qualified(method), params: value });
    this.pending.clear();
  }

  async answer(id, method, params) {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.post({ id, error: "method_not_found", message: `No method '${method}' was (yet) bound by the provider` });
      return;
    }
    try {
      const result = await handler(params);
      // jschannel drops an undefined result: the host's promise resolves empty.
      this.post(result === undefined ? { id } : { id, result });
    } catch (e) {
      this.post({ id, error: (e && e.name) || "runtime_error", message: String((e && e.message) || e) });
    }
  }
}
