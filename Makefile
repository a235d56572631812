# The two set-up commands of README.md, on a fresh Debian 12 machine:
#   make demo   install what is missing, build, open onnxscope on a demo model
#   make test   install what is missing, build, run every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian bookworm packages onnxscope builds and tests with.
PACKAGES := build-essential cmake pkg-config libprotobuf-dev protobuf-compiler libonnx-dev \
            libncurses-dev libfmt-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev \
            libbenchmark-dev libonnx-testdata python3-onnx tmux libopenblas-dev zlib1g-dev

DEMO_MODEL := share/demo/broken_export.onnx

.PHONY: all deps build demo test test-asan bench clean

all: build

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "onnxscope needs these Debian packages; install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

# The terminal inspector on the demo model (q quits); without a terminal it
# prints check's report instead (and check exits 1: it predicts a failure).
demo: build
	$(BUILD)/src/onnxscope $(DEMO_MODEL); test $$? -le 1

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (clang; CMakePresets.json "asan") in its own folder, build-asan, with the
# libFuzzer targets (tests/fuzz/run.sh). Several times slower than `make test`:
# not part of it, run it before a release or nightly (docs/robustness.md).
test-asan: PACKAGES += clang libclang-rt-dev
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan -j$(JOBS)

# The benchmarks also compare against Python's onnx and time with hyperfine.
bench: PACKAGES += hyperfine time jq python3-onnx
bench: build
	bench/run_info_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan
