#!/usr/bin/env bash
# `make aquatic`: the at-scale check on an existing tracker. Builds aquatic_ws
# (crates.io, the WebTorrent tracker built for large swarms) once into
# .tools/aquatic/, then plays the demo VOD with Chromium and Firefox viewers
# introduced by it (tests/at-scale/aquatic.test.mjs: segments cross data
# channels, every one verified). Not part of `make test`: building aquatic_ws
# takes ~2 minutes of this machine's 2 cores. `make bench` uses the same binary
# for its tracker rows.
#
#   scripts/aquatic.sh            build if missing, then the browser check
#   scripts/aquatic.sh --build    build if missing, nothing else
#
# The build is `--locked` without aquatic's default Prometheus feature: its
# locked metrics 0.22.3 no longer compiles on this rustc (E0521), and metrics
# are not what we measure. aquatic_ws runs on glommio (io_uring): Linux 5.8 or
# later, as on these machines.
set -euo pipefail
cd "$(dirname "$0")/.."
AQUATIC_VERSION=0.9.0
ROOT_DIR=.tools/aquatic
BIN=$ROOT_DIR/bin/aquatic_ws

scripts/setup.sh
source scripts/env.sh
if [ ! -x "$BIN" ] || ! grep -qx "$AQUATIC_VERSION" "$ROOT_DIR/version" 2>/dev/null; then
  echo "aquatic: building aquatic_ws $AQUATIC_VERSION into $ROOT_DIR (about 2 minutes)"
  cargo install aquatic_ws --version "$AQUATIC_VERSION" --locked \
    --no-default-features --features mimalloc --root "$ROOT_DIR" --force
  echo "$AQUATIC_VERSION" >"$ROOT_DIR/version"
fi
[ "${1:-}" = "--build" ] && exit 0

scripts/build.sh >/dev/null
node --test --test-concurrency=1 tests/at-scale/
