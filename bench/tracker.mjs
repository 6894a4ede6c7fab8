// Tracker: tubeswarm's tracker (target/release/tubeswarm-tracker, limits opened up
// for one loopback address) vs npm's bittorrent-tracker server (WebSocket only,
// as PeerTube runs it) and aquatic_ws (crates.io, built by scripts/aquatic.sh; one
// socket worker per core and one swarm worker, as its own config advises for 1–7
// cores), one after the other, each under the same load from
// target/release/tubeswarm-bench-tracker: N WebSocket clients, each on 2 of 1,000
// info_hashes, each keeping one announce in flight per info_hash (the next goes
// out when the last is answered: saturation). Figures: announces answered per
// second over the steady phase, and the server process's peak VmRSS. The load
// generator runs on one thread of the same 2 cores: the rates are what the
// tracker and it carry together, the same for both trackers.
// Both processes get `ulimit -n 20000` (10,000 sockets each side).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { ROOT, startProcess, row, log } from "./lib.mjs";
import { AQUATIC_BIN, startAquatic } from "../tests/at-scale/aquatic.mjs";

const run_ = promisify(execFile);
const SECONDS = Number(process.env.BENCH_TRACKER_SECONDS || 8);
const FDS = 20000;
/** [clients, announces per second per info_hash; 0 = saturation] */
const LOADS = [[1000, 0], [10000, 0]];
/** Rounds per load, alternating the two trackers (the machine is shared: the mean of rounds). */
const ROUNDS = Number(process.env.BENCH_TRACKER_ROUNDS || 2);

const inShell = (cmd) => ["-c", `ulimit -n ${FDS} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${cmd}`];
const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;

function startTubeswarm() {
  const bin = join(ROOT, "target", "release", "tubeswarm-tracker");
  return startProcess("bash", inShell(`${q(bin)} --port 0 --max-connections 20000 --max-peers-per-swarm 20000 --announces-per-window 0`));
}
function startBittorrentTracker() {
  const script = join(ROOT, "server", "tests", "tracker-compat", "server.mjs");
  return startProcess("bash", inShell(`node ${q(script)} ${q(join(ROOT, "node_modules"))}`));
}
function startAquaticWs() {
  return startAquatic({ socketWorkers: Math.min(availableParallelism(), 7), fds: FDS });
}

/** [name in the JSON, its name in the table, start] */
const TRACKERS = [
  ["tubeswarm", "tubeswarm", startTubeswarm],
  ["bittorrent-tracker", "bittorrent-tracker (npm)", startBittorrentTracker],
  ["aquatic_ws", "aquatic_ws (crates.io)", startAquaticWs],
];

async function load(server, clients, rate) {
  const bin = join(ROOT, "target", "release", "tubeswarm-bench-tracker");
  const cmd = `${q(bin)} --url ${q(server.url)} --pid ${server.pid} --clients ${clients} --hashes 2 --rate ${rate} --seconds ${SECONDS} --json`;
  const { stdout } = await run_("bash", inShell(cmd), { maxBuffer: 1 << 20, timeout: 180_000 });
  return JSON.parse(stdout);
}

export async function run() {
  const detail = {};
  const rows = [];
  const trackers = TRACKERS.filter(([name]) => name !== "aquatic_ws" || existsSync(AQUATIC_BIN));
  if (trackers.length < TRACKERS.length) log(`tracker: ${AQUATIC_BIN} is missing (scripts/aquatic.sh --build): no aquatic_ws rows`);
  for (const [clients, rate] of LOADS) {
    const rounds = Object.fromEntries(trackers.map(([name]) => [name, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, , start] of trackers) {
        log(`tracker: ${name}, ${clients} clients, round ${i + 1}`);
        const server = await start();
        try {
          rounds[name].push(await load(server, clients, rate));
        } finally {
          await server.stop();
        }
      }
    }
    detail[clients] = rounds;
    const mean = (list) => ({
      ...list[0],
      answered_per_s: list.reduce((n, r) => n + r.answered_per_s, 0) / list.length,
      rss_peak_kib: Math.max(...list.map((r) => r.rss_peak_kib)),
      connect_failed: Math.max(...list.map((r) => r.connect_failed)),
    });
    const a = mean(rounds.tubeswarm);
    const offered = rate ? `offered ${a.offered_per_s}/s` : "saturated";
    for (const [name, otherName] of trackers.slice(1)) {
      const b = mean(rounds[name]);
      const o = { otherName, digits: 0 };
      const vs = name === "bittorrent-tracker" ? "" : `, vs ${name}`;
      rows.push(row("tracker", `${clients} clients: announces answered/s (${offered}, mean of ${ROUNDS})${vs}`, a.answered_per_s, b.answered_per_s, {
        ...o, unit: "/s", better: "higher",
        note: a.connect_failed || b.connect_failed ? `connections refused: ${a.connect_failed} / ${b.connect_failed}` : "",
      }));
      rows.push(row("tracker", `${clients} clients: peak RSS${vs}`, a.rss_peak_kib / 1024, b.rss_peak_kib / 1024, { ...o, unit: "MiB" }));
    }
  }
  return { rows, detail };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
