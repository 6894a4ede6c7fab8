// Tracker: tubeswarm's tracker (target/release/tubeswarm-tracker, limits opened up
// for one loopback address) vs npm's bittorrent-tracker server (WebSocket only,
// as PeerTube runs it), one after the other, each under the same load from
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
import { ROOT, startProcess, row, log } from "./lib.mjs";

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

async function load(server, clients, rate) {
  const bin = join(ROOT, "target", "release", "tubeswarm-bench-tracker");
  const cmd = `${q(bin)} --url ${q(server.url)} --pid ${server.pid} --clients ${clients} --hashes 2 --rate ${rate} --seconds ${SECONDS} --json`;
  const { stdout } = await run_("bash", inShell(cmd), { maxBuffer: 1 << 20, timeout: 180_000 });
  return JSON.parse(stdout);
}

export async function run() {
  const detail = {};
  const rows = [];
  for (const [clients, rate] of LOADS) {
    const rounds = { tubeswarm: [], "bittorrent-tracker": [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, start] of [["tubeswarm", startTubeswarm], ["bittorrent-tracker", startBittorrentTracker]]) {
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
    const a = mean(rounds.tubeswarm), b = mean(rounds["bittorrent-tracker"]);
    const o = { otherName: "bittorrent-tracker (npm)", digits: 0 };
    const offered = rate ? `offered ${a.offered_per_s}/s` : "saturated";
    rows.push(row("tracker", `${clients} clients: announces answered/s (${offered}, mean of ${ROUNDS})`, a.answered_per_s, b.answered_per_s, {
      ...o, unit: "/s", better: "higher",
      note: a.connect_failed || b.connect_failed ? `connections refused: ${a.connect_failed} / ${b.connect_failed}` : "",
    }));
    rows.push(row("tracker", `${clients} clients: peak RSS`, a.rss_peak_kib / 1024, b.rss_peak_kib / 1024, { ...o, unit: "MiB" }));
  }
  return { rows, detail };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
