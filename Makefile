# The one entry point. On a fresh Debian 12 machine:
#   make dev    — install what is missing, build, start a dev server on :7233
#   make test   — install what is missing, build, run every test
BUILD_DIR ?= build
ZAMAN     := $(BUILD_DIR)/bin/zaman
DEV_ARGS  ?=

# Debian packages the build and the tests need.
DEB_PACKAGES := build-essential cmake ninja-build ccache pkg-config git ca-certificates openssl \
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev \
  libsqlite3-dev libsqlitecpp-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev \
  libcpp-httplib-dev nlohmann-json3-dev unzip chromium \
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev valgrind prometheus-cpp-dev prometheus curl \
  postgresql libpq-dev mariadb-server libmariadb-dev \
  nodejs npm golang-go python3 python3-venv python3-pip default-jdk-headless maven

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test unit-test sdk-test dev clean bench-visibility bench-sqlite bench bench-metrics bench-scale conformance cluster-soak

# Installs only what is missing; a toolchain already on PATH (go, node,
# python3) counts as present.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  case $$p in \
	    golang-go) command -v go >/dev/null && continue ;; \
	    nodejs|npm) command -v node >/dev/null && command -v npm >/dev/null && continue ;; \
	    python3|python3-pip) command -v python3 >/dev/null && continue ;; \
	    python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null && continue ;; \
	    default-jdk-headless) command -v javac >/dev/null && continue ;; \
	    maven) command -v mvn >/dev/null && continue ;; \
	  esac; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja
	cmake --build $(BUILD_DIR)

# Unit, functional, SDK and CLI tests, all through CTest.
test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure

unit-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -LE sdk

sdk-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L sdk

# The cluster test's long version (12 waves of workflows, every host
# restarted) on a throw-away PostgreSQL of its own; `make test` runs the
# short one on PostgreSQL and on MariaDB.
cluster-soak: build
	@dir=$$(mktemp -d); trap 'bash tests/db/throwaway.sh stop postgres '"$$dir"'/postgres; rm -rf '"$$dir" EXIT; \
	  chmod 755 $$dir; bash tests/db/throwaway.sh start postgres $$dir/postgres >/dev/null && \
	  ZAMAN_TEST_DB_DIR=$$dir bash tests/cluster/run.sh $(ZAMAN) postgres soak

# The Go, Python, TypeScript and Java scenarios on zaman and on the reference
# Temporal dev server, their histories compared
# (tests/conformance/known-differences.md).
conformance: build
	bash tests/conformance/run.sh $(ZAMAN)

# Zaman against the reference Temporal dev server under the same load
# (bench/README.md); writes bench/results/<date>.md. STORE=postgres: against
# the Temporal server itself, both on one throw-away PostgreSQL; writes
# bench/results/<date>-postgres.md.
bench: build
	@case "$(STORE)" in sqlite) bench/run ;; postgres) bench/run-postgres ;; \
	  *) echo "make bench: STORE is sqlite or postgres" >&2; exit 2 ;; esac

# The scale scenario (bench/README.md): parked workflows and a backlog across
# a SIGTERM and a kill -9 restart; writes bench/results/<date>-scale.md.
SCALE_PARKED ?= 1000000
SCALE_BACKLOG ?= 100000
SCALE_REFERENCE_PARKED ?= 20000
SCALE_REFERENCE_BACKLOG ?= 10000
SCALE_DUE_AFTER ?= 3m
bench-scale: build
	SCALE_PARKED=$(SCALE_PARKED) SCALE_BACKLOG=$(SCALE_BACKLOG) SCALE_REFERENCE_PARKED=$(SCALE_REFERENCE_PARKED) \
	  SCALE_REFERENCE_BACKLOG=$(SCALE_REFERENCE_BACKLOG) SCALE_DUE_AFTER=$(SCALE_DUE_AFTER) bench/run-scale

# Server CPU per 1,000 one-activity workflows without and with metrics
# (endpoint on, scraped every second); writes bench/results/<date>-metrics.md.
bench-metrics: build
	cd bench/load && go run . -zaman $(abspath $(ZAMAN)) -duration 10s \
	  -metrics-cost $(abspath bench/results/$(shell date +%F)-metrics.md)

# The SQLite file on disk over 30,000 starts and a mass deletion
# (bench/README.md); pass flags with BENCH_ARGS="--runs=100000".
bench-sqlite: build
	$(BUILD_DIR)/bin/sqlite_space_bench --db=$(BUILD_DIR)/bench-sqlite.db $(BENCH_ARGS)

# List/Count latencies over one million runs (bench/README.md), in SQLite or,
# with STORE=postgres or STORE=mysql, on a throw-away PostgreSQL / MariaDB.
STORE ?= sqlite
bench-visibility: build
ifeq ($(STORE),sqlite)
	$(BUILD_DIR)/bin/visibility_bench --db=$(BUILD_DIR)/bench-visibility.db
else
	bench/visibility-on $(STORE) $(BUILD_DIR)/bin/visibility_bench
endif

dev: build
	$(ZAMAN) server start-dev $(DEV_ARGS)

clean:
	rm -rf $(BUILD_DIR)
