# The two commands a newcomer needs (both install what they need first):
#   make demo   build everything, make the sample media, serve on http://127.0.0.1:8080/
#   make test   run every test (native, then end-to-end in Chromium, Firefox and WebKitGTK)
.PHONY: demo test setup build clean bench-swarm bench fuzz soak aquatic

demo:
	scripts/demo.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh

clean:
	rm -rf target pkg generated node_modules .tools

# The swarm simulator's table: offload, stalls, startup, with and without P2P.
bench-swarm:
	cargo run -q --release -p tubeswarm-server --bin tubeswarm-bench-swarm

# Every benchmark side by side (bundle, parsing, startup, swarm, tracker, hashing):
# one table, and bench-results/bench.{json,md}. See BENCHMARKS.md.
bench:
	scripts/bench.sh

# Coverage-guided fuzzing of every decoder of outside input (fuzz/, cargo-fuzz):
# FUZZ_S seconds per target (default 60), one table line per target. See README.md.
fuzz:
	FUZZ_S=$(or $(FUZZ_S),60) scripts/fuzz.sh

# 20 minutes (SOAK_S) of three viewers of the looping VOD and three of the live
# stream, with P2P: errors, stalls, wasm memory, JS heap, store, server memory.
# Not in CI. See BENCHMARKS.md.
soak:
	scripts/setup.sh
	. scripts/env.sh && scripts/build.sh --release-server >/dev/null && TUBESWARM_PROFILE=release node bench/soak.mjs

# tubeswarm viewers (Chromium and Firefox) swarming through aquatic_ws, the
# at-scale tracker, built once from crates.io into .tools/aquatic. Not in CI.
aquatic:
	scripts/aquatic.sh
