#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test: native unit and
# integration tests, the WASM build, and end-to-end tests in headless Chromium,
# then the playback and P2P suites in Firefox ESR and WebKitGTK.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
start=$(date +%s)

echo "== native tests (cargo test --workspace)"
# The tracker's compat test plays the same client against bittorrent-tracker's own
# server, which npm installed (a dependency of p2p-media-loader-core).
BITTORRENT_TRACKER_NODE_MODULES="$PWD/node_modules" cargo test --workspace

echo "== the fuzz targets compile (cargo check of fuzz/; \`make fuzz\` runs them)"
# Not in the workspace (cargo-fuzz builds it with its own flags), so nothing else
# would notice an engine API change that breaks a target.
cargo check -q --manifest-path fuzz/Cargo.toml --bins --target-dir target/fuzz-check

echo "== build (wasm package, native tools, sample media)"
scripts/build.sh >/dev/null

echo "== browser unit tests of the web adapters (wasm-bindgen-test, headless Chromium)"
log=$(mktemp)
target/debug/tubeswarm-demo --port 0 --www www --pkg pkg --media generated/media >"$log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^http://' "$log" && break; sleep 0.1; done
TUBESWARM_TEST_ORIGIN=$(grep -m1 '^http://' "$log") \
CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  PATH="$WASM_PATH" cargo test --target wasm32-unknown-unknown --lib
kill $demo; trap - EXIT

echo "== end-to-end tests (headless Chromium; the mixed swarm adds Firefox)"
node --test --test-concurrency=1 tests/e2e/

# The same harness in the other engines (tests/e2e/engines/): playback, P2P and
# faults. WebKitGTK has no WebRTC here, so its P2P file checks the HTTP-only path.
for engine in firefox webkit; do
  echo "== end-to-end tests in $engine (playback, P2P, faults)"
  TUBESWARM_BROWSER=$engine node --test --test-concurrency=1 tests/e2e/playback.test.mjs tests/e2e/p2p.test.mjs tests/e2e/faults.test.mjs
done

echo "== all tests passed in $(( $(date +%s) - start )) s"
