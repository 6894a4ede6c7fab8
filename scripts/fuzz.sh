#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every decoder of
# outside input, one target per decoder (fuzz/fuzz_targets/, each says what it checks).
# Builds every target once, fills fuzz/corpus/<target>/ from the project's own inputs,
# runs each target FUZZ_S seconds (default 60), one process at a time, and prints one
# line per target. Exits non-zero if any target found something: the inputs are in
# fuzz/artifacts/<target>/ (replay one: fuzz/target/<triple>/release/<target> FILE),
# libFuzzer's log in fuzz/target/fuzz-logs/<target>/fuzz-0.log.
#
#   scripts/fuzz.sh [TARGET...]     (default: every target; FUZZ_S=600 for longer runs)
#   FUZZ_RUNS=10000000 FUZZ_S=7200 scripts/fuzz.sh   (each target until 10 M executions)
#
# Toolchain: cargo-fuzz passes nightly-only flags to rustc (-Zsanitizer, the sancov
# passes); the project's stable toolchain takes them with RUSTC_BOOTSTRAP=1. The
# default sanitizer, AddressSanitizer, works with it, and is kept: besides memory
# errors, -malloc_limit_mb needs its malloc hooks to catch one huge allocation.
# FUZZ_SANITIZER=none runs without it (faster, only panics, hangs and RSS then).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export RUSTC_BOOTSTRAP=1
FUZZ_S=${FUZZ_S:-60}
FUZZ_RUNS=${FUZZ_RUNS:--1}  # executions per target at most (-1: until FUZZ_S)
SANITIZER=${FUZZ_SANITIZER:-address}
ROOT=$PWD
MEDIA=generated/media      # scripts/build.sh makes it; its files are seeds when present
SHARED=../shared           # the playlist corpus and the p2p-media-loader capture
CAPTURE=$SHARED/reference/p2pml-2.3.1/capture.json
VECTORS=tests/vectors/p2pml-2.3.1.json
shopt -s nullglob globstar

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

cargo fuzz build -O -a --sanitizer "$SANITIZER" --target-dir fuzz/target
BIN=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release
if (($#)); then TARGETS=("$@"); else mapfile -t TARGETS < <(cargo fuzz list); fi

have() { command -v "$1" >/dev/null; }

# seed TARGET [MAX_BYTES] < input: one corpus file (the first MAX_BYTES), named by
# its SHA-1 as libFuzzer names its own, so seeding again adds nothing.
seed() {
  local dir=fuzz/corpus/$1 tmp
  tmp=$(mktemp)
  if [ -n "${2:-}" ]; then head -c "$2" >"$tmp"; else cat >"$tmp"; fi
  if [ -s "$tmp" ]; then
    mkdir -p "$dir"
    mv "$tmp" "$dir/$(sha1sum <"$tmp" | cut -c1-40)"
  else
    rm -f "$tmp"
  fi
}

# The input format of the multi-message targets (fuzz/src/lib.rs, `records`):
# record FILE MAX_BYTES writes [length: u16 little-endian][the first MAX_BYTES of FILE].
record() {
  local n
  n=$(head -c "$2" "$1" | wc -c)
  printf "$(printf '\\x%02x\\x%02x' $((n & 255)) $((n >> 8)))"
  head -c "$n" "$1"
}

# Lines of hex on stdin, one message each ('#' lines are comments) → records.
hex_records() {
  local hex
  while read -r hex; do
    [[ -z $hex || $hex == \#* ]] && continue
    printf '%02x%02x%s\n' $((${#hex} / 2 & 255)) $((${#hex} / 2 >> 8)) "$hex"
  done | xxd -r -p
}

fill_corpora() {
  local f line hex viewer dir tmp
  for f in fuzz/seeds/playlist/* "$SHARED"/corpus/playlists/**/*.m3u8 "$MEDIA"/**/*.m3u8; do seed playlist <"$f"; done
  for f in fuzz/seeds/peertube/*; do seed peertube <"$f"; done
  for f in fuzz/seeds/segment_hashes/* "$MEDIA"/**/*segments-sha256.json; do seed segment_hashes <"$f"; done
  for f in fuzz/seeds/tracker_client/*; do seed tracker_client <"$f"; done
  for f in fuzz/seeds/tracker_server/*; do seed tracker_server <"$f"; done
  # HLS media files start with their init segment (under 1 KiB here).
  for f in "$MEDIA"/**/*-fragmented.mp4 "$MEDIA"/**/*.m4s; do seed codecs 4096 <"$f"; done
  # Every JSON document above (and each tracker message alone) is a seed of the JSON target.
  for f in fuzz/seeds/{peertube,segment_hashes}/* "$MEDIA"/**/*.json "$VECTORS"; do
    if [ "$(wc -c <"$f")" -le 65536 ]; then seed json <"$f"; fi
  done
  cat fuzz/seeds/tracker_*/* | while IFS= read -r line; do printf '%s' "$line" | seed json; done

  # TS segments of the live source, in a row (fuzz/fuzz_targets/remux.rs has the two
  # header bytes): one alone, three that follow each other (0x14: the 2nd and 3rd are
  # contiguous), a discontinuity (0x08) late on the timeline (1e6 s).
  local ts=("$MEDIA"/live/src/*.ts)
  if ((${#ts[@]} >= 6)); then
    { printf '\x00\x00'; record "${ts[0]}" $((348 * 188)); } | seed remux
    { printf '\x14\x01'; for f in "${ts[@]:1:3}"; do record "$f" $((116 * 188)); done; } | seed remux
    { printf '\x08\x02'; record "${ts[4]}" $((174 * 188)); record "${ts[0]}" $((174 * 188)); } | seed remux
  fi

  if have xxd; then
    for f in fuzz/seeds/swarm_peer/*.hexlines; do
      hex_records <"$f" | seed swarm_peer
      hex_records <"$f" | seed p2p_wire
    done
  fi
  if have jq && have xxd; then
    if [ -f "$CAPTURE" ]; then
      jq -c '.tracker_messages[] | select(.dir == "in") | .json' "$CAPTURE" | seed tracker_client
      jq -c '.tracker_messages[] | select(.dir == "out") | .json' "$CAPTURE" | seed tracker_server
      # Each viewer's data-channel messages, each way, as one session.
      tmp=$(mktemp)
      for viewer in A B; do
        for dir in in out; do
          jq -r --arg v "$viewer" --arg d "$dir" \
            '.datachannel_messages[] | select(.viewer == $v and .dir == $d) | .full_hex // .head_hex' "$CAPTURE" |
            hex_records >"$tmp"
          seed swarm_peer <"$tmp"
          seed p2p_wire <"$tmp"
        done
      done
      rm -f "$tmp"
    fi
    if [ -f "$VECTORS" ]; then
      # Command bodies alone, and each command's messages as a session.
      jq -r '.reader_cases[].body_hex, (.commands[].messages_hex | select(length == 1) | .[0][8:-8])' "$VECTORS" |
        while read -r hex; do echo "$hex" | xxd -r -p | seed p2p_wire; done
      jq -c '.commands[].messages_hex | select(.)' "$VECTORS" |
        while read -r line; do jq -r '.[]' <<<"$line" | hex_records | seed p2p_wire; done
    fi
  fi
}
fill_corpora

# final_stat NAME LOG: one of libFuzzer's final statistics (-print_final_stats=1).
final_stat() { if [ -f "$2" ]; then sed -n "s/^stat::$1: *//p" "$2" | tail -1; else echo -; fi; }
status=0
printf '\n%-16s %12s %8s %8s %9s\n' target executions exec/s corpus findings
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "fuzz/target/fuzz-logs/$t"
  stamp=fuzz/target/fuzz-logs/$t/started
  log=fuzz/target/fuzz-logs/$t/fuzz-0.log
  touch "$stamp"
  rm -f "$log"
  # -jobs=1: libFuzzer runs the fuzzing in one child process, its log in the working
  # directory (fuzz-0.log, copied to stderr at the end).
  rc=0
  (cd "fuzz/target/fuzz-logs/$t" &&
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0" \
      "$ROOT/$BIN/$t" "$ROOT/fuzz/corpus/$t" -artifact_prefix="$ROOT/fuzz/artifacts/$t/" \
      -max_total_time="$FUZZ_S" -runs="$FUZZ_RUNS" -jobs=1 -print_final_stats=1 \
      -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 2>/dev/null) || rc=$?
  findings=$(find "fuzz/artifacts/$t" -type f -newer "$stamp" | wc -l)
  if ((findings == 0 && rc != 0)); then findings="error"; fi
  [ "$findings" = 0 ] || status=1
  printf '%-16s %12s %8s %8s %9s\n' "$t" "$(final_stat number_of_executed_units "$log")" \
    "$(final_stat average_exec_per_sec "$log")" "$(find "fuzz/corpus/$t" -type f | wc -l)" "$findings"
done
exit "$status"
