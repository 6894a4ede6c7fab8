#!/usr/bin/env bash
# Builds the WASM package (pkg/), the native tools, and the sample media.
# Usage: scripts/build.sh [--release-server]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
profile=debug; flag=""
[ "${1:-}" = "--release-server" ] && { profile=release; flag="--release"; }

echo "build: pkg/ (wasm-pack, the wasm profile: opt-level z, wasm-opt -Oz)" >&2
# Panics abort at once, with no message formatted (nothing reads it: the wasm
# has no panic hook and aborts anyway), and keep no file:line:column either:
# std built from its sources with -Cpanic=immediate-abort, where the toolchain
# has them (Debian's, see setup.sh): core::fmt's panic machinery and the
# messages leave the wasm, 7 KiB brotli (BENCHMARKS.md). Otherwise only
# -Zlocation-detail=none. RUSTC_BOOTSTRAP as the std build of setup.sh.
# -Zfmt-debug=none: no Debug impl keeps a body (the wasm formats none: its
# messages quote with crate::quoted, tests run outside this build), 1.3 KiB brotli.
rustflags="-Zlocation-detail=none -Zfmt-debug=none"; build_std=()
if [ -f "$(PATH="$WASM_PATH" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  rustflags="$rustflags -Zunstable-options -Cpanic=immediate-abort"
  # std itself at opt-level 3, not the profile's "z": string and Vec code in the
  # parser's hot loop (parsing a playlist 1.2x slower in z; +0.3 KiB brotli).
  # std's optimize_for_size: its smaller variants of sort, fmt and the like
  # (0.7 KiB brotli, BENCHMARKS.md).
  build_std=(-- -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
  for krate in core alloc std; do build_std+=(--config "profile.wasm.package.$krate.opt-level=3"); done
fi
# wasm-pack build <crate dir> <its options>: every module is built the same way.
wasm_module() {
  RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$rustflags" \
    PATH="$WASM_PATH" wasm-pack --log-level warn build "$@" --profile wasm --target web "${build_std[@]}" >&2
}
wasm_module . --out-dir pkg
# The other modules, each built into target/ and copied beside the player's.
side_module() { # <crate dir> <module name>
  wasm_module "$1" --out-dir "$ROOT/target/$2-pkg" --out-name "$2"
  cp "target/$2-pkg/$2.js" "target/$2-pkg/$2.d.ts" "target/$2-pkg/$2_bg.wasm" pkg/
}
echo "build: pkg/tubeswarm_remux* (the MPEG-TS remuxer's own module, remux-wasm/; streams with TS segments load it)" >&2
side_module remux-wasm tubeswarm_remux
echo "build: pkg/tubeswarm_peertube* (PeerTube mode's module, peertube-wasm/; PeerTube pages load it)" >&2
side_module peertube-wasm tubeswarm_peertube
echo "build: pkg/tubeswarm_tools* (the stand-alone functions' module, tools-wasm/: parsePlaylist, LivePlaylist, sha256Hex)" >&2
side_module tools-wasm tubeswarm_tools
node scripts/package.mjs
# The demo server serves www/ at / and pkg/ at /pkg/; the script tag imports ./pkg/.
echo "build: native tools ($profile)" >&2
cargo build -q $flag -p tubeswarm-server --bins
echo "build: sample media" >&2
"target/$profile/tubeswarm-samples" generated/media >&2
echo "$profile"
