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

# The private mail stack the tests talk to: one Dovecot + Postfix for the whole test run, on
# loopback ports, reading a database of its own. It lives outside the work tree because the
# servers' users (postfix, mail, dovecot) must reach it, which a private clone folder may deny.
# Each run makes a fresh folder under /var/tmp (removed after a green run, kept with its logs
# after a red one), so two runs can share a machine given different MAILSTACK_PORTS;
# MAILSTACK_ROOT=DIR uses (and first empties) DIR instead.
MAILSTACK_ROOT ?=
MAILSTACK_PORTS ?= --imap-port 18143 --smtp-port 18025 --submission-port 18587

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
	@# A fresh database and stack for this run; stopped whatever the tests do (trap on exit).
	root='$(MAILSTACK_ROOT)'; made=0; \
	if [ -z "$$root" ]; then \
		root=$$(mktemp -d -p /var/tmp switchboard-test-XXXXXXXX); made=1; \
		chmod 755 "$$root"; \
	else \
		ops/mailstack/stop --dir "$$root/stack" >/dev/null 2>&1 || true; \
		rm -rf "$$root"; mkdir -p "$$root"; \
	fi; \
	trap 'ops/mailstack/stop --dir "$$root/stack" >/dev/null 2>&1 || true' EXIT; \
	echo "test: mail stack in $$root"; \
	mkdir -p "$$root/db"; \
	printf 'database:\n  path: %s\n' "$$root/db/switchboard.sqlite" > "$$root/init.yaml"; \
	.build/debug/dirctl init --admin root --name "Test administrator" --config "$$root/init.yaml" >/dev/null; \
	ops/mailstack/start --tls --db $$root/db/switchboard.sqlite --dir $$root/stack $(MAILSTACK_PORTS) >/dev/null; \
	status=0; SWITCHBOARD_MAILSTACK_ENV=$$root/stack/env $(SWIFT) test --disable-xctest || status=$$?; \
	ops/mailstack/stop --dir "$$root/stack" >/dev/null || true; \
	if [ $$status -eq 0 ] && [ $$made -eq 1 ]; then rm -rf "$$root"; \
	elif [ $$status -ne 0 ]; then echo "test: failed; the stack's logs are in $$root/stack/log" >&2; fi; \
	exit $$status

demo: deps
	$(SWIFT) build --product dirctl
	$(SWIFT) build --product mailctl
	DIRCTL=.build/debug/dirctl MAILCTL=.build/debug/mailctl ops/demo/run

bench:
	@if [ -x ops/bench/run ]; then \
		ops/bench/run; \
	else \
		echo "bench: ops/bench/run does not exist yet"; \
	fi

clean-demo:
	rm -rf var
