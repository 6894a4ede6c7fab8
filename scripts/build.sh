#!/usr/bin/env bash
# Builds the WASM package (pkg/), the native tools, and the sample media.
# Usage: scripts/build.sh [--release-server]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
profile=debug; flag=""
[ "${1:-}" = "--release-server" ] && { profile=release; flag="--release"; }

echo "build: pkg/ (wasm-pack, the wasm profile: opt-level z, wasm-opt -Oz)" >&2
# Panics keep their messages but not their file:line:column (-Zlocation-detail,
# through RUSTC_BOOTSTRAP as the std build of setup.sh): 2.5 KiB brotli the page
# never needed (BENCHMARKS.md).
RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zlocation-detail=none" \
  PATH="$WASM_PATH" wasm-pack --log-level warn build . --profile wasm --target web --out-dir pkg >&2
node scripts/package.mjs
# The demo server serves www/ at / and pkg/ at /pkg/; the script tag imports ./pkg/.
echo "build: native tools ($profile)" >&2
cargo build -q $flag -p tubeswarm-server --bins
echo "build: sample media" >&2
"target/$profile/tubeswarm-samples" generated/media >&2
echo "$profile"
