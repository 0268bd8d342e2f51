# Switchboard: build, test and demo.
#
#   make deps        install the system packages the build and tests need (apt, idempotent)
#   make build       build every product (debug)
#   make test        build the tests and run them (Swift Testing)
#   make demo        build dirctl and make a fresh demo directory under var/ (ops/demo/run)
#   make bench       run the benchmarks (ops/bench/run)
#   make clean-demo  remove var/ (the demo database, keys and checkpoint)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

SWIFT ?= swift

# System packages: C libraries behind CCurl, CICal, CCrypt and SQLite; sqlite3 and tzdata
# for the tests; pkg-config for the system-library modules.
DEPS_PACKAGES := libcurl4-openssl-dev libical-dev libsqlite3-dev libcrypt-dev sqlite3 pkg-config tzdata

# Run apt as root; through sudo only when we are not root.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Hook for the mail stack (ops/mailstack/): the test filters that need a running Dovecot and
# Postfix. Empty for now: no mail stack is started yet, and setting it stops `make test`
# with a message rather than silently skipping those tests.
MAILSTACK_TESTS ?=

.PHONY: deps build test demo bench clean-demo

deps:
	@missing=""; \
	for pkg in $(DEPS_PACKAGES); do \
		status=$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true); \
		case "$$status" in *"install ok installed"*) ;; *) missing="$$missing $$pkg" ;; esac; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "deps: all present ($(DEPS_PACKAGES))"; \
	else \
		echo "deps: installing$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest
ifneq ($(strip $(MAILSTACK_TESTS)),)
	@echo "test: MAILSTACK_TESTS=$(MAILSTACK_TESTS) is set, but starting the mail stack is not wired in yet" >&2; exit 1
endif

demo: deps
	$(SWIFT) build --product dirctl
	DIRCTL=.build/debug/dirctl ops/demo/run

bench:
	@if [ -x ops/bench/run ]; then \
		ops/bench/run; \
	else \
		echo "bench: ops/bench/run does not exist yet"; \
	fi

clean-demo:
	rm -rf var
