// aquatic_ws, the WebTorrent tracker built for scale (crates.io, io_uring through
// glommio), as tubeswarm's viewers and benchmarks meet it: the binary that
// scripts/aquatic.sh installs into .tools/aquatic/, started on a free loopback port
// with a config file of our own. It prints no address, so we pick the port and
// wait until it accepts a connection.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AQUATIC_BIN = process.env.TUBESWARM_AQUATIC || join(ROOT, ".tools", "aquatic", "bin", "aquatic_ws");

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1", () => { c.destroy(); resolve(true); });
    c.once("error", () => resolve(false));
  });
}

/**
 * Start aquatic_ws; resolves with {url, pid, stop}. `socketWorkers` follows its
 * own advice (one per core up to 7 cores); `fds` raises `ulimit -n` first (the
 * load benchmark's 10,000 sockets).
 */
export async function startAquatic({ socketWorkers = 1, fds = null } = {}) {
  if (!existsSync(AQUATIC_BIN)) throw new Error(`${AQUATIC_BIN} is missing: scripts/aquatic.sh builds it`);
  const port = await freePort();
  const config = join(mkdtempSync(join(tmpdir(), "aquatic-")), "aquatic_ws.toml");
  writeFileSync(config, [
    `socket_workers = ${socketWorkers}`,
    "swarm_workers = 1",
    'log_level = "warn"',
    "[network]",
    `address = "127.0.0.1:${port}"`,
    "",
  ].join("\n"));
  const limit = fds ? `ulimit -n ${fds} 2>/dev/null || ulimit -n $(ulimit -Hn); ` : "";
  const child = spawn("bash", ["-c", `${limit}exec "$0" -c "$1"`, AQUATIC_BIN, config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((_, reject) => child.on("exit", (code) => reject(new Error(`aquatic_ws exited with ${code}: ${stderr}`))));
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`aquatic_ws did not listen on ${port} in 10 s: ${stderr}`);
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => {});
  return {
    url: `ws://127.0.0.1:${port}/`,
    pid: child.pid,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners("exit");
      child.on("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}
