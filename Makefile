# Top-level entry points. The work is done by scripts/; see README.md.
#   make test        set-up check, then every test step of
#                    scripts/test-all.sh; prints "N passed, M failed"
#   make demo        build and serve the demo page with websockify and
#                    synack-bridge --slirp (scripts/demo.sh); prints the URL
#   make native|asan|emscripten|wasi   one step of `make test`
#   make setup       install what is missing (scripts/setup.sh)
#   make bench       build release trees and run the benchmarks (bench/run.sh)
#   make clean       remove the preset build directories

PRESETS := native asan emscripten wasi

.PHONY: all test demo bench setup clean $(PRESETS)

all: test

test:
	bash scripts/test-all.sh

$(PRESETS):
	bash scripts/test-all.sh $@

demo:
	bash scripts/demo.sh

bench:
	bash bench/run.sh

setup:
	bash scripts/setup.sh

clean:
	rm -rf $(addprefix build/,$(PRESETS)) build/logs
