// `make bench` (after scripts/setup.sh and scripts/build.sh --release-server):
// every part measured in this one run, one table on stdout, and
// bench-results/bench.json + bench-results/bench.md.
//   node bench/run.mjs [part ...]   parts: bundle parse hash remux startup swarm tracker
// (default: all, in that order). See BENCHMARKS.md for what each figure means.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { RESULTS, ROOT, launchBrowser, log } from "./lib.mjs";

const PARTS = {
  bundle: () => import("./bundle.mjs"),
  parse: () => import("./parse.mjs"),
  hash: () => import("./hash.mjs"),
  remux: () => import("./remux.mjs"),
  startup: () => import("./startup.mjs"),
  swarm: () => import("./swarm.mjs"),
  tracker: () => import("./tracker.mjs"),
};

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The markdown table: both sides, the ratio tubeswarm / other, who is ahead. */
export function table(rows) {
  const lines = [
    "| area | measure | tubeswarm | other | ratio (tubeswarm / other) | ahead | notes |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const unit = r.unit ? ` ${r.unit}` : "";
    const ahead = r.tubeswarm === r.other ? "tie" : r.wins === null ? "–" : r.wins ? "tubeswarm" : "other";
    const better = r.better === "higher" ? "higher is better" : "lower is better";
    lines.push(`| ${r.group} | ${r.what} | ${fmt(r.tubeswarm, r.digits)}${unit} | ${fmt(r.other, r.digits)}${unit} (${r.otherName}) | ${fmt(r.ratio, 2)} (${better}) | ${ahead} | ${r.note || ""} |`);
  }
  return lines.join("\n");
}

function machine() {
  const c = cpus();
  let chromium = "";
  try { chromium = execFileSync(process.env.CHROMIUM || "/usr/bin/chromium", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch {}
  let commit = "";
  try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim(); } catch {}
  return { cpu: c[0]?.model, cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, chromium, commit, date: new Date().toISOString() };
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PARTS);
for (const p of wanted) if (!PARTS[p]) { console.error(`unknown part: ${p} (parts: ${Object.keys(PARTS).join(" ")})`); process.exit(2); }

mkdirSync(RESULTS, { recursive: true });
const started = Date.now();
const browser = await launchBrowser();
const rows = [], details = {}, failures = {}, seconds = {};
try {
  for (const name of wanted) {
    const t = Date.now();
    try {
      const { run } = await PARTS[name]();
      const result = await run({ browser });
      rows.push(...result.rows);
      details[name] = result.detail;
    } catch (e) {
      // One part failing must not hide the others' figures; the run still fails.
      log(`${name} failed: ${e.stack || e}`);
      failures[name] = String(e.message || e);
    }
    seconds[name] = (Date.now() - t) / 1000;
  }
} finally {
  await browser.close();
}

const info = machine();
const total = (Date.now() - started) / 1000;
const md = [
  `Measured ${info.date} at commit ${info.commit} on ${info.cpu} (${info.cores} cores), ${info.memoryGiB} GiB, ${info.chromium}, node ${info.node}; whole run ${total.toFixed(0)} s.`,
  "",
  table(rows),
  ...Object.entries(failures).map(([k, v]) => `\n**${k} failed:** ${v}`),
  "",
].join("\n");
writeFileSync(join(RESULTS, "bench.md"), md);
writeFileSync(join(RESULTS, "bench.json"), JSON.stringify({ machine: info, seconds, total, rows, failures, details }, null, 1));
console.log(md);
log(`wrote ${join(RESULTS, "bench.json")} and bench.md in ${total.toFixed(0)} s`);
if (Object.keys(failures).length) process.exit(1);
