#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test: native unit and
# integration tests, the WASM build, and end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
start=$(date +%s)

echo "== native tests (cargo test --workspace)"
cargo test --workspace

echo "== build (wasm package, native tools, sample media)"
scripts/build.sh >/dev/null

echo "== end-to-end tests (headless Chromium)"
node --test --test-concurrency=1 tests/e2e/

echo "== all tests passed in $(( $(date +%s) - start )) s"
