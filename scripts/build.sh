#!/usr/bin/env bash
# Builds the WASM package (pkg/), the native tools, and the sample media.
# Usage: scripts/build.sh [--release-server]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
profile=debug; flag=""
[ "${1:-}" = "--release-server" ] && { profile=release; flag="--release"; }

echo "build: pkg/ (wasm-pack, release)" >&2
PATH="$WASM_PATH" wasm-pack --log-level warn build . --release --target web --out-dir pkg >&2
node scripts/package.mjs
# The demo server serves www/ at / and pkg/ at /pkg/; the script tag imports ./pkg/.
echo "build: native tools ($profile)" >&2
cargo build -q $flag -p tubeswarm-server --bins
echo "build: sample media" >&2
"target/$profile/tubeswarm-samples" generated/media >&2
echo "$profile"
