# Switchboard: build, test, demo, benchmarks and installation.
#
#   make deps        install the system packages the build and tests need (apt, idempotent)
#   make build       build every product (debug)
#   make test        build the tests and run them on a private mail stack (Swift Testing)
#   make demo        build dirctl and mailctl, make a fresh demo ministry and start a private
#                    Dovecot + Postfix on it (ops/demo/run)
#   make release     build dirctl and mailctl in release mode, linked as RELEASE_FLAGS says
#   make install     install the release binaries, completions, man pages and the example
#                    config (PREFIX=/usr/local; DESTDIR for staging; see README "Running it for real")
#   make bench       run the benchmarks on release builds (ops/bench/run; BEFORE=REV adds an
#                    earlier commit's figures from the same run)
#   make clean-demo  remove var/ (the demo database, keys and checkpoint)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

SWIFT ?= swift

# System packages: C libraries behind CCurl, CICal, CCrypt and SQLite; sqlite3 and tzdata
# for the tests; pkg-config for the system-library modules; python3-icalendar and khal, the
# calendar readers the ICalendar tests check written invites against (Debian's python3, not a
# pyenv one, has python3-icalendar). For healthd's tests: promtool (Debian's prometheus) checks
# /metrics and the alert rules, openssl serves a short-lived certificate, curl talks to the
# daemon; the status page is loaded in headless Chromium and checked with axe-core
# (ops/install-axe makes a Python 3.12 virtual environment with selenium and axe-selenium-python).
# For mail trust (DKIM, DNS records): knot serves the tests' zones on a loopback port
# (ops/testdns), with kdig (knot-dnsutils) to ask it; python3-dkim, python3-dnspython and
# python3-nacl (Ed25519) verify signed mail independently (Debian's /usr/bin/python3); opendkim
# signs as a Postfix milter, opendkim-tools has its key checks, and libopendbx1-sqlite3 lets it
# read its keys from the Switchboard database.
DEPS_PACKAGES := libcurl4-openssl-dev libical-dev libsqlite3-dev libcrypt-dev sqlite3 pkg-config tzdata python3-icalendar khal \
	prometheus openssl curl chromium chromium-driver \
	knot knot-dnsutils python3-dkim python3-dnspython python3-nacl opendkim opendkim-tools libopendbx1-sqlite3

# ops/install-packages (also used by ops/mailstack) installs what is missing, through sudo
# when not root.

# The private mail stack the tests talk to: one Dovecot + Postfix for the whole test run, on
# loopback ports, reading a database of its own. It lives outside the work tree because the
# servers' users (postfix, mail, dovecot) must reach it, which a private clone folder may deny.
# Each run makes a fresh folder under /var/tmp (removed after a green run, kept with its logs
# after a red one), so two runs can share a machine given different MAILSTACK_PORTS;
# MAILSTACK_ROOT=DIR uses (and first empties) DIR instead.
MAILSTACK_ROOT ?=
MAILSTACK_PORTS ?= --imap-port 18143 --smtp-port 18025 --submission-port 18587
# The test DNS server (knot, ops/testdns) of the same run: in ROOT/dns, on 127.0.0.1 (and [::1])
# at this port, UDP and TCP; tests find it through SWITCHBOARD_TESTDNS_ENV (TestDNS.current()).
TESTDNS_PORT ?= 18053

# Release binaries carry the Swift runtime and Foundation inside them: a command starts in
# about 2 ms instead of about 8 (no dynamic loading of Foundation and ICU), and a setgid tool
# must not load the toolchain's libraries from a path its caller controls. ops/bench/run builds
# its binaries the same way.
RELEASE_FLAGS ?= --static-swift-stdlib
TOOLS := dirctl mailctl meetctl healthd

# Where `make install` puts things. DESTDIR stages an install (packaging). The tools read
# /etc/switchboard/switchboard.yaml: with PREFIX /usr/local or /usr the example config goes
# there; with any other PREFIX (a trial install) it goes to PREFIX/etc/switchboard, and
# SWITCHBOARD_CONFIG can name it.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/etc/switchboard,$(PREFIX)/etc/switchboard)
# The database folder and the checkpoint folder go under LOCALSTATEDIR (/var/lib, or PREFIX/var/lib
# for a trial install). Only /etc/switchboard is read by the set-gid tools for users other than
# root: a trial install serves root, who names its config with --config.
LOCALSTATEDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/var/lib,$(PREFIX)/var/lib)
BINDIR := $(DESTDIR)$(PREFIX)/bin
DATADIR := $(DESTDIR)$(PREFIX)/share/switchboard
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASH_COMPLETIONDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSH_COMPLETIONDIR := $(DESTDIR)$(PREFIX)/share/zsh/site-functions

# The example config as installed: Config/switchboard.yaml with production paths (README,
# "Running it for real") and the mail servers of this host as ops/mail/ configures them.
PRODUCTION_CONFIG := \
	-e 's|^\# The values here are the demo.s.*|\# Installed by `make install` from Config/switchboard.yaml, with production paths: edit it.|' \
	-e 's|^  path: ../var/db/switchboard.sqlite|  path: $(LOCALSTATEDIR)/switchboard/switchboard.sqlite|' \
	-e 's|^  signing_key_file: ../var/keys/|  signing_key_file: $(SYSCONFDIR)/private/|' \
	-e 's|^  public_key_file: ../var/|  public_key_file: $(SYSCONFDIR)/|' \
	-e 's|^  checkpoint_dir: ../var/checkpoints|  checkpoint_dir: $(LOCALSTATEDIR)/switchboard-checkpoints|' \
	-e 's|^  origin: switchboard.demo.gov.vn|  origin: $(shell hostname)|' \
	-e 's|^  \# These defaults are the private demo stack.*|  \# Here: this host, as ops/mail/ configures it (STARTTLS before login; the name in its certificate).|' \
	-e 's|^  imap: {host: 127.0.0.1, port: 14143, security: plain}|  imap: {host: $(shell hostname -f), port: 143, security: starttls}|' \
	-e 's|^  submission: {host: 127.0.0.1, port: 14587, security: plain}|  submission: {host: $(shell hostname -f), port: 587, security: starttls}|' \
	-e 's|^  relay: {host: 127.0.0.1, port: 14025,|  relay: {host: 127.0.0.1, port: 25,|' \
	-e 's|^  templates_dir: ../Templates/mail|  templates_dir: $(PREFIX)/share/switchboard/mail-templates|' \
	-e 's|^  templates_dir: ../Templates/meet|  templates_dir: $(PREFIX)/share/switchboard/meet-templates|' \
	-e 's|^    templates_dir: ../Templates/health|    templates_dir: $(PREFIX)/share/switchboard/health-templates|' \
	-e 's|^  doveadm_config: .*|  doveadm_config: ""|' \
	-e 's|^    key_dir: /var/lib/switchboard-demo/dkim|    key_dir: $(LOCALSTATEDIR)/switchboard-dkim|' \
	-e 's|^    mail_host: mail.bonoivu.demo.gov.vn|    mail_host: $(shell hostname -f)|'

.PHONY: deps build test demo release install bench clean-demo

deps:
	@ops/install-packages --verbose $(DEPS_PACKAGES)
	@ops/install-axe

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	@# A fresh database, stack and test DNS for this run; stopped whatever the tests do (trap on exit).
	root='$(MAILSTACK_ROOT)'; made=0; \
	if [ -z "$$root" ]; then \
		root=$$(mktemp -d -p /var/tmp switchboard-test-XXXXXXXX); made=1; \
		chmod 755 "$$root"; \
	else \
		ops/mailstack/stop --dir "$$root/stack" >/dev/null 2>&1 || true; \
		ops/testdns/stop --dir "$$root/dns" >/dev/null 2>&1 || true; \
		bash -c 'source ops/mailstack/lib.sh; [[ ! -e $$1 && ! -L $$1 ]] || ms_check_own_dir "$$1"' _ "$$root"; \
		rm -rf -- "$$root"; mkdir -m 0755 -- "$$root"; \
	fi; \
	trap 'ops/mailstack/stop --dir "$$root/stack" >/dev/null 2>&1 || true; ops/testdns/stop --dir "$$root/dns" >/dev/null 2>&1 || true' EXIT; \
	echo "test: mail stack in $$root"; \
	mkdir -p "$$root/db"; \
	printf 'database:\n  path: %s\n' "$$root/db/switchboard.sqlite" > "$$root/init.yaml"; \
	.build/debug/dirctl init --admin root --name "Test administrator" --config "$$root/init.yaml" >/dev/null; \
	ops/mailstack/start --tls --db $$root/db/switchboard.sqlite --dir $$root/stack $(MAILSTACK_PORTS) >/dev/null; \
	ops/testdns/start --dir "$$root/dns" --port $(TESTDNS_PORT) >/dev/null; \
	status=0; SWITCHBOARD_MAILSTACK_ENV=$$root/stack/env SWITCHBOARD_TESTDNS_ENV=$$root/dns/env $(SWIFT) test --disable-xctest || status=$$?; \
	ops/mailstack/stop --dir "$$root/stack" >/dev/null || true; \
	ops/testdns/stop --dir "$$root/dns" >/dev/null || true; \
	if [ $$status -eq 0 ] && [ $$made -eq 1 ]; then rm -rf "$$root"; \
	elif [ $$status -ne 0 ]; then echo "test: failed; the stack's logs are in $$root/stack/log, the test DNS's in $$root/dns/knot.log" >&2; fi; \
	exit $$status

demo: deps
	$(SWIFT) build --product dirctl
	$(SWIFT) build --product mailctl
	$(SWIFT) build --product meetctl
	$(SWIFT) build --product healthd
	DIRCTL=.build/debug/dirctl MAILCTL=.build/debug/mailctl MEETCTL=.build/debug/meetctl HEALTHD=.build/debug/healthd ops/demo/run

release: deps
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product dirctl
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product mailctl
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product meetctl
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product healthd

# The binaries, their bash and zsh completions, man pages when swift-argument-parser's
# generate-manual plugin builds (it needs no network once the packages are resolved), the mail
# templates, the mail servers' contract and configuration (ops/mail/), and the example config: into /etc/switchboard only when no config is there, with
# the production paths (database in /var/lib/switchboard, the installed templates, the mail
# servers on this host's standard ports).
install: release
	install -d $(BINDIR) $(DATADIR)/mail-templates $(DATADIR)/meet-templates $(DATADIR)/health-templates $(BASH_COMPLETIONDIR) $(ZSH_COMPLETIONDIR) $(MANDIR) $(DESTDIR)$(SYSCONFDIR)
	@# Installed for real (no DESTDIR): set-gid switchboard, with the group, the folders and their
	@# modes (ops/install-layout). Staged (DESTDIR): plain 0755, for a package to set up.
	@# A trial install (another PREFIX) is not set-gid either: root runs it with --config.
	if [ -z "$(DESTDIR)" ] && [ -n "$(filter /usr /usr/local,$(PREFIX))" ]; then \
		ops/install-layout --from .build/release --bindir $(BINDIR) --tools "$(TOOLS)" --etc $(SYSCONFDIR) \
			--data $(LOCALSTATEDIR)/switchboard --checkpoints $(LOCALSTATEDIR)/switchboard-checkpoints; \
	else \
		for tool in $(TOOLS); do install -m 0755 .build/release/$$tool $(BINDIR)/$$tool; done; \
		echo "install: plain 0755 tools in $(BINDIR): for a package (DESTDIR), run ops/install-layout on the target host; a trial PREFIX serves root only"; \
	fi
	for tool in $(TOOLS); do \
		.build/release/$$tool --generate-completion-script bash > $(BASH_COMPLETIONDIR)/$$tool; \
		.build/release/$$tool --generate-completion-script zsh > $(ZSH_COMPLETIONDIR)/_$$tool; \
	done
	install -m 0644 Templates/mail/*.mustache Templates/mail/README.md $(DATADIR)/mail-templates/
	install -m 0644 Templates/meet/*.mustache Templates/meet/README.md $(DATADIR)/meet-templates/
	install -m 0644 Templates/health/*.mustache Templates/health/README.md $(DATADIR)/health-templates/
	install -d $(DATADIR)/mail/dovecot $(DATADIR)/mail/postfix $(DATADIR)/mail/opendkim $(DATADIR)/systemd/opendkim.service.d
	install -m 0644 ops/mail/schema.sql ops/mail/schema-v3-live-mail.sql ops/mail/schema-v6-dkim.sql ops/mail/README.md $(DATADIR)/mail/
	install -m 0644 ops/mail/dovecot/* $(DATADIR)/mail/dovecot/
	install -m 0644 ops/mail/postfix/* $(DATADIR)/mail/postfix/
	install -m 0644 ops/mail/opendkim/* $(DATADIR)/mail/opendkim/
	sed 's/^local key_type = "rsa"$$/local key_type = "ed25519"/' ops/mail/opendkim/signing.lua > $(DATADIR)/mail/opendkim/signing-ed25519.lua
	install -m 0644 ops/systemd/opendkim.service.d/* $(DATADIR)/systemd/opendkim.service.d/
	install -m 0644 ops/systemd/switchboard-dkim-advance.* ops/systemd/opendkim-ed25519.service $(DATADIR)/systemd/
	@# The plugin builds every product (in debug mode: the pages are the same, and the release
	@# binaries above stay as RELEASE_FLAGS linked them) and writes one page per tool.
	@if $(SWIFT) package plugin generate-manual --configuration debug >.build/generate-manual.log 2>&1; then \
		for tool in $(TOOLS); do \
			page=$$(find .build/plugins/GenerateManual -name "$$tool.1" | head -n 1); \
			if [ -n "$$page" ]; then install -m 0644 "$$page" $(MANDIR)/$$tool.1; echo "install: man page $(MANDIR)/$$tool.1"; \
			else echo "install: generate-manual made no page for $$tool (.build/generate-manual.log)"; fi; \
		done; \
	else \
		echo "install: no man pages: swift-argument-parser's generate-manual plugin failed (.build/generate-manual.log); --help has the same text"; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/switchboard.yaml ]; then \
		echo "install: kept the existing $(DESTDIR)$(SYSCONFDIR)/switchboard.yaml"; \
	else \
		sed $(PRODUCTION_CONFIG) Config/switchboard.yaml > $(DESTDIR)$(SYSCONFDIR)/switchboard.yaml; \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/switchboard.yaml; \
		echo "install: wrote $(DESTDIR)$(SYSCONFDIR)/switchboard.yaml (edit it: see README, Running it for real)"; \
	fi

bench: deps
	SWIFT_RELEASE_FLAGS="$(RELEASE_FLAGS)" ops/bench/run $(if $(BEFORE),--before $(BEFORE))

clean-demo:
	rm -rf var
