# bingfa — top-level driver. `make run` serves the demo, `make test` runs every test.
BUILD      ?= build
TEST_BUILD ?= build-test
DB         ?= bingfa.db
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS = api forms headers list_query mustache playbook record router static_path
SECONDS    ?= 60

# make bench: the data sizes (deals), seconds per figure, and the store.
SIZES         ?= 10000 100000 1000000
BENCH_SECONDS ?= 5
STORE         ?= sqlite

.PHONY: all setup setup-test build web run test fuzz bench bench-reports bench-import bench-search \
	clean lint format

all: build

setup:
	@sh scripts/setup

# What the tests need beyond the build: poppler-utils and LibreOffice, which
# read the PDF and Word documents back (make run does without them).
setup-test:
	@sh scripts/setup test

build: setup web
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The web app: Vue + Vite into web/dist, served by bingfa itself.
web: setup
	@cd web && npx vite build --logLevel warn && node scripts/compress.mjs

run: build
	@if [ ! -f $(DB) ]; then $(BUILD)/bingfa init --db $(DB) --demo; \
	else echo "bingfa: $(DB) exists; a new password for its admin:"; \
	$(BUILD)/bingfa user passwd --db $(DB) --name admin --random-password || true; fi
	@echo "bingfa: open http://$(LISTEN)/ and log in as one of the users above"
	$(BUILD)/bingfa serve --db $(DB) --listen $(LISTEN) --web web/dist

# The release build make run serves is compiled too: optimisation brings
# warnings of its own (-Werror), and make run must not be the first to meet them.
test: setup-test lint web build
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBINGFA_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

# Every fuzz harness for SECONDS seconds each (libFuzzer, ASan, UBSan, the
# library instrumented), with its corpus and dictionary; new inputs that
# reach new code go to build-fuzz/corpus, crashes to build-fuzz/crashes.
fuzz:
	@sh scripts/setup fuzz
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBINGFA_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@sh scripts/fuzz $(FUZZ_BUILD) $(SECONDS) $(FUZZ_TARGETS)

# A benchmark, not a test: imports SIZES deals into fresh databases, serves
# each with the release build and drives it with wrk, then writes
# docs/performance.md (scripts/bench; its data stays in build/bench).
bench:
	@sh scripts/setup bench
	@JOBS=$(JOBS) python3 scripts/bench --sizes "$(SIZES)" --seconds $(BENCH_SECONDS) --store $(STORE)

# The manager's reports at a million deals and five million stage changes
# (scripts/bench-reports): p50 and p99 of each, for docs/performance.md.
# The spreadsheet import of 100,000 accounts, XLSX and GBK CSV, dry run and
# commit (scripts/bench-import), for docs/import.md.
bench-import: build
	@sh scripts/setup test
	@python3 scripts/bench-import

bench-reports:
	@sh scripts/setup bench
	@JOBS=$(JOBS) python3 scripts/bench-reports --seconds $(BENCH_SECONDS)

# The global search at a million deals with contacts and activities
# (scripts/bench-search): p50 and p99 of each query, for docs/performance.md.
bench-search:
	@sh scripts/setup bench
	@JOBS=$(JOBS) python3 scripts/bench-search --seconds $(BENCH_SECONDS)

lint:
	@sh scripts/lint

format:
	@clang-format -i $$(git ls-files -co --exclude-standard 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD) web/dist
