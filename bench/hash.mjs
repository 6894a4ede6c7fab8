// Hashing: SHA-256 throughput in Chromium, tubeswarm's wasm `sha256Hex` (the code
// that checks every segment) vs WebCrypto's `crypto.subtle.digest`, over 64 MiB in
// 1 MiB chunks (segment-sized), one chunk at a time, alternating rounds.
import { inMicroPage, median, row, log } from "./lib.mjs";

const MIB = Number(process.env.BENCH_HASH_MIB || 64);
const ROUNDS = Number(process.env.BENCH_HASH_ROUNDS || 5);

export async function run({ browser } = {}) {
  log("hashing");
  const r = await inMicroPage(browser, "hash", [MIB, ROUNDS]);
  const mbps = (ms) => MIB / (ms / 1000);
  return {
    rows: [row("hash", `SHA-256, ${MIB} MiB in 1 MiB chunks`, mbps(median(r.wasm)), mbps(median(r.webcrypto)), {
      unit: "MiB/s", better: "higher", otherName: "WebCrypto",
    })],
    detail: { mib: MIB, rounds: ROUNDS, ms: r },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
