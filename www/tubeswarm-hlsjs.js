// tubeswarm as hls.js's fragment loader: a third-party hls.js player keeps its
// own MediaSource, ABR and UI, and gets its fragments from tubeswarm's engine
// (store, peers or HTTP, every one SHA-256-verified), so its viewers join the
// swarm like any tubeswarm viewer.
//
//   import Hls from "hls.js";
//   import init, { Player } from "tubeswarm";
//   import { tubeswarmLoader } from "tubeswarm/hlsjs";
//   await init();
//   const engine = await Player.create(video, { src, loaderMode: true, trackers, segmentsSha256Url });
//   const hls = new Hls({ fLoader: tubeswarmLoader(Hls, engine) });
//   hls.loadSource(src);
//   hls.attachMedia(video);
//
// Init segments, and any URL the engine does not know (it answers null), go
// through hls.js's own loader unchanged. A fragment every source failed to
// serve verified is reported to hls.js as a network error, so hls.js retries
// it (through tubeswarm again) instead of playing unchecked bytes.

let nextId = 1;

/** A hls.js `fLoader` class that asks `engine` (a tubeswarm Player created with
 *  `loaderMode: true`) for every media fragment. `Hls` is the hls.js default
 *  export, for its own loader (used for everything else). */
export function tubeswarmLoader(Hls, engine) {
  const Fallback = Hls.DefaultConfig.loader;

  return class TubeswarmFragmentLoader {
    constructor(config) {
      this.config = config;
      this.stats = newStats();
      this.context = null;
      this.loadId = 0;
      this.fallback = null;
    }

    load(context, loaderConfig, callbacks) {
      this.context = context;
      const frag = context.frag;
      // hls.js names init segments "initSegment": those stay with hls.js.
      if (!frag || typeof frag.sn !== "number") return this.loadItself(context, loaderConfig, callbacks);
      const id = (this.loadId = nextId++);
      const stats = this.stats;
      stats.loading.start = performance.now();
      const end = context.rangeEnd > 0 ? context.rangeEnd : undefined;
      const begin = end !== undefined ? context.rangeStart : undefined;
      engine.load(id, context.url, begin, end, frag.start).then(
        (bytes) => {
          if (this.loadId !== id) return; // aborted meanwhile
          this.loadId = 0;
          if (!bytes) return this.loadItself(context, loaderConfig, callbacks);
          const now = performance.now();
          stats.loading.first = Math.max(stats.loading.start, now - 1);
          stats.loading.end = now;
          stats.loaded = stats.total = bytes.byteLength;
          stats.chunkCount = 1;
          const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          callbacks.onSuccess({ url: context.url, data }, stats, context, null);
        },
        (error) => {
          if (this.loadId !== id) return;
          this.loadId = 0;
          stats.loading.end = performance.now();
          callbacks.onError({ code: 0, text: String(error && error.message || error) }, context, null, stats);
        },
      );
    }

    /** hls.js's own loader, reporting through this loader's stats object (the
     *  one hls.js already holds as the fragment's stats). */
    loadItself(context, loaderConfig, callbacks) {
      const fallback = (this.fallback = new Fallback(this.config));
      const sync = (s) => Object.assign(this.stats, s);
      fallback.load(context, loaderConfig, {
        ...callbacks,
        onSuccess: (response, s, ctx, details) => callbacks.onSuccess(response, sync(s), ctx, details),
        onError: (error, ctx, details, s) => callbacks.onError(error, ctx, details, sync(s)),
        onTimeout: (s, ctx, details) => callbacks.onTimeout(sync(s), ctx, details),
        onAbort: callbacks.onAbort && ((s, ctx, details) => callbacks.onAbort(sync(s), ctx, details)),
        onProgress: callbacks.onProgress && ((s, ctx, data, details) => callbacks.onProgress(sync(s), ctx, data, details)),
      });
    }

    abort() {
      this.cancel();
      // hls.js answers an abort by destroying this loader: let go of the
      // fallback first, so that does not come back here.
      const fallback = this.fallback;
      this.fallback = null;
      fallback?.abort();
    }

    destroy() {
      this.cancel();
      const fallback = this.fallback;
      this.fallback = null;
      fallback?.destroy();
    }

    cancel() {
      if (this.loadId) {
        engine.cancelLoad(this.loadId);
        this.loadId = 0;
        this.stats.aborted = true;
      }
    }
  };
}

function newStats() {
  return {
    aborted: false, loaded: 0, retry: 0, total: 0, chunkCount: 0, bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
}
