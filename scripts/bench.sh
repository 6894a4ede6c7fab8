#!/usr/bin/env bash
# `make bench`: installs what is missing, builds (wasm package, release native
# tools, sample media), then runs every benchmark side by side in one run:
# the table on stdout, bench-results/bench.json and bench-results/bench.md.
# Arguments pass through to bench/run.mjs (e.g. `scripts/bench.sh parse hash`).
# See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh --release-server >/dev/null
# The tracker part opens 10,000 WebSockets per side (bench/tracker.mjs raises the
# limit for its own processes; this is for everything else).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# aquatic_ws, for the tracker rows beside it (built once; about 2 minutes), and
# twiggy (crates.io), for the bundle part's top 20 of the wasm (about 1 minute).
scripts/aquatic.sh --build
[ -x .tools/twiggy/bin/twiggy ] || cargo install twiggy --version 0.8.0 --locked --root .tools/twiggy
TUBESWARM_PROFILE=release node bench/run.mjs "$@"
