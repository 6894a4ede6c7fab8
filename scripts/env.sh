# Sourced by the other scripts: puts the tools scripts/setup.sh installed on PATH.
# The wasm build uses Debian's rustc-web with the std that setup.sh built for it
# (or rustup's toolchain, when setup ran with TUBESWARM_WASM_TOOLCHAIN=rustup).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ "$(cat "$ROOT/.tools/wasm-toolchain" 2>/dev/null)" = debian ]; then
  # Debian's cargo and rustc for the wasm build; cargo-installed tools stay reachable.
  WASM_PATH="/usr/bin:$PATH"
else
  WASM_PATH="$PATH"
fi
export WASM_PATH
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
