# Front door for the CMake build (style.md section 11). Every target installs missing Debian
# packages first (scripts/deps.sh: quiet and quick when they are present).
BUILD   ?= build
PREFIX  ?= /usr/local
JOBS    ?= 2
CMAKE_FLAGS ?=
BUILD_TYPE ?= RelWithDebInfo

.PHONY: all deps test-deps configure build test test-pg pg-suite test-asan demo install bench man format clean fuzz

all: build

deps:
	@bash scripts/deps.sh build

test-deps:
	@bash scripts/deps.sh test

configure:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: deps configure
	@cmake --build $(BUILD) -j$(JOBS)

# The whole suite: every test on the embedded SQLite store, then the store-facing tests again on
# a private PostgreSQL server (test-pg below; TR_TEST_PG=0 skips that second pass).
test: test-deps configure
	@cmake --build $(BUILD) -j$(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	@if [ "$(TR_TEST_PG)" != 0 ]; then $(MAKE) --no-print-directory pg-suite; fi

# The store-facing suite against PostgreSQL: a private server (scripts/pg-test-server.sh) on a
# loopback port in a temp dir, TR_TEST_STORE pointing at it (unit tests use a schema each, golden
# cases a schema each via tests/run-cases, pg_* shell tests), stopped afterwards.
PG_TESTS ?= ^(unit/core/|unit/store/|case/|shell/pg_|shell/store_migrate)
test-pg: test-deps configure
	@cmake --build $(BUILD) -j$(JOBS)
	@$(MAKE) --no-print-directory pg-suite

pg-suite:
	@echo "test: the store-facing tests on PostgreSQL"
	@url=$$(bash scripts/pg-test-server.sh start) || exit 4; \
	  (cd $(BUILD) && TR_TEST_STORE=$$url ctest --output-on-failure -j$(JOBS) -R '$(PG_TESTS)'); \
	  rc=$$?; bash scripts/pg-test-server.sh stop; exit $$rc

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build dir.
test-asan:
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(MAKE) --no-print-directory test TR_TEST_PG=0 BUILD=$(BUILD)-asan CMAKE_FLAGS="$(CMAKE_FLAGS) -DTR_SANITIZE=ON"

demo: build
	@PATH="$(CURDIR)/$(BUILD)/bin:$$PATH" bash examples/demo.sh

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

man: build
	@cmake --build $(BUILD) --target man

bench: build
	@PATH="$(CURDIR)/$(BUILD)/bin:$$PATH" bash bench/run.sh

# Fuzzing with libFuzzer (clang): every target for FUZZ_TIME seconds; crashes become regressions.
FUZZ_TIME ?= 60
fuzz: test-deps
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DTR_FUZZ=ON -DTR_TESTS=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS) --target fuzz_all
	@bash fuzz/run.sh $(BUILD)-fuzz/fuzz $(FUZZ_TIME)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD)
