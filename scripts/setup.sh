#!/usr/bin/env bash
# Installs everything tubeswarm needs to build, demo and test, on a fresh Debian
# machine of this kind (see ../shared/design/TOOLCHAIN.md for why each step exists).
# Idempotent: every step checks before it installs, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
WASM_PACK_VERSION=0.15.1

# 1. Debian packages ---------------------------------------------------------------
# firefox-esr, webkit2gtk-driver (+ xvfb, and GStreamer's decoders for MSE with H.264/AAC):
# the browsers the end-to-end tests run beside Chromium (see tests/e2e/engines/).
APT_PKGS=(ffmpeg chromium chromium-driver fonts-dejavu-core lld-22 rustc-web cargo-web rust-web-src
  firefox-esr webkit2gtk-driver xvfb gstreamer1.0-libav gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. A Rust toolchain that can target wasm32 --------------------------------------
# Debian's rustc-web, with std's sources (rust-web-src): the shipped wasm builds
# its own std, with panics that abort at once (scripts/build.sh, BENCHMARKS.md),
# and that needs the sources, which rustup's toolchain here lacks. Its wasm32 std
# for every other wasm build (the wasm unit tests) is built once, into its sysroot.
# TUBESWARM_WASM_TOOLCHAIN=rustup takes rustup's wasm32 target instead (a laptop
# without Debian's packages; its shipped wasm keeps std's panic machinery unless
# rustup's rust-src is installed).
mkdir -p .tools
rm -f .tools/wasm-toolchain
if [ "${TUBESWARM_WASM_TOOLCHAIN:-}" = rustup ] && { rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown ||
    timeout 25 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; }; then
  echo rustup > .tools/wasm-toolchain
else
  echo debian > .tools/wasm-toolchain
  SYS=$(/usr/bin/rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib
  if ! ls "$SYS"/libstd-*.rlib >/dev/null 2>&1; then
    log "building std for wasm32 with Debian's rustc ($(/usr/bin/rustc --version))"
    tmp=$(mktemp -d)
    (cd "$tmp" && PATH=/usr/bin:$PATH cargo new --lib -q stdbuild && cd stdbuild &&
      PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 cargo build -q --release --target wasm32-unknown-unknown \
        -Zbuild-std=std,panic_abort,panic_unwind,test,proc_macro &&
      mkdir -p "$SYS" && cp target/wasm32-unknown-unknown/release/deps/*.rlib "$SYS"/ &&
      rm -f "$SYS"/libstdbuild*)
    rm -rf "$tmp"
  fi
  HOSTBIN=$(/usr/bin/rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin
  [ -e "$HOSTBIN/rust-lld" ] || { mkdir -p "$HOSTBIN"; ln -sf /usr/lib/llvm-22/bin/lld "$HOSTBIN/rust-lld"; }
fi

# 3. wasm-bindgen-cli (exactly the library's version) and wasm-pack ----------------
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
  log "cargo install wasm-pack $WASM_PACK_VERSION"
  cargo install -q --locked wasm-pack --version "$WASM_PACK_VERSION" --force
fi

# 4. npm tools: wasm-opt (binaryen) and playwright-core (drives Debian's Chromium) --
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package.json -nt node_modules/.installed ]; then
  log "npm ci"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
  touch node_modules/.installed
fi
log "ready ($(cat .tools/wasm-toolchain) wasm toolchain)"
