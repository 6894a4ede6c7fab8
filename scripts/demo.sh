#!/usr/bin/env bash
# `make demo`: set up, build, make the sample media, serve on 127.0.0.1 and print the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
profile=$(scripts/build.sh --release-server)
exec "target/$profile/tubeswarm-demo" --host 127.0.0.1 --port "${PORT:-8080}" --www www --pkg pkg --media generated/media
