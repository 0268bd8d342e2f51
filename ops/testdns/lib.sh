# shellcheck shell=bash
# Shared helpers of ops/testdns/{start,stop,zone}. Sourced, never run.
#
# The test DNS is Debian's knot (an authoritative server) on a loopback port, configured in a
# folder of its own (DIR) and never through /etc/knot. The folder rules of root scripts are
# ops/mailstack/lib.sh's (ms_own_dir, ms_write_file, ...): reused, with this tool's prefix.

here_testdns=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../mailstack/lib.sh
source "$here_testdns/../mailstack/lib.sh"

TESTDNS_HOST=127.0.0.1
# shellcheck disable=SC2034 # used by start
TESTDNS_PACKAGES=(knot knot-dnsutils)
TESTDNS_KNOTD=/usr/sbin/knotd

ms_log() { printf 'testdns: %s\n' "$*" >&2; }
ms_die() {
	local code=$1
	shift
	printf 'testdns: error: %s\n' "$*" >&2
	exit "$code"
}

# Paths inside DIR; one place so start, stop and zone agree.
# shellcheck disable=SC2034 # used by the scripts that source this file
td_paths() {
	local dir=$1
	TD_CONF=$dir/knot.conf
	TD_ENV=$dir/env
	TD_RUN=$dir/run
	TD_SOCKET=$dir/run/knot.sock
	TD_DB=$dir/db
	TD_ZONES=$dir/zones
	TD_SERIALS=$dir/serials
	TD_LOG=$dir/knot.log
	TD_LOCK=$dir/zone.lock
}

# td_find_knotd: sets TD_PID (read by the scripts) to the knotd serving DIR's config (td_paths) and returns 0, or
# returns 1. A process counts only when /proc/PID/exe is knotd, it runs as root or knot, and its
# command line names `-c DIR/knot.conf` (knot's own pid file is written by the knot user: not
# trusted).
# shellcheck disable=SC2034 # TD_PID is read by the scripts that source this file
td_find_knotd() {
	local p exe uid comm i knot_uid
	local -a words
	TD_PID=''
	knot_uid=$(id -u knot 2>/dev/null) || knot_uid=''
	for p in /proc/[0-9]*; do
		comm=''
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == knotd ]] || continue
		exe=$(readlink -- "$p/exe" 2>/dev/null) || continue
		[[ ${exe% (deleted)} == "$TESTDNS_KNOTD" ]] || continue
		uid=$(awk '/^Uid:/ { print $2; exit }' "$p/status" 2>/dev/null) || continue
		[[ $uid == 0 || (-n $knot_uid && $uid == "$knot_uid") ]] || continue
		mapfile -d '' -t words 2>/dev/null <"$p/cmdline" || continue
		for ((i = 0; i + 1 < ${#words[@]}; i++)); do
			if [[ ${words[i]} == -c && ${words[i + 1]} == "$TD_CONF" ]] && ms_pid_alive "${p#/proc/}"; then
				TD_PID=${p#/proc/}
				return 0
			fi
		done
	done
	return 1
}

# knotc on DIR's control socket.
td_knotc() { knotc -s "$TD_SOCKET" -t 20 "$@"; }

# td_soa_serial PORT ZONE: the serial the server on 127.0.0.1:PORT serves for ZONE (printed),
# or status 1 when it does not serve it (REFUSED, no reply).
td_soa_serial() {
	local port=$1 zone=$2 answer
	answer=$(kdig @"$TESTDNS_HOST" -p "$port" +time=1 +retry=0 +short "$zone." SOA 2>/dev/null) || return 1
	read -r _ _ serial _ <<<"$answer"
	[[ $serial =~ ^[0-9]+$ ]] || return 1
	printf '%s\n' "$serial"
}

# td_status PORT NAME: the response status (NOERROR, REFUSED, ...) of an SOA query, or empty.
td_status() {
	local port=$1 name=$2
	kdig @"$TESTDNS_HOST" -p "$port" +time=1 +retry=0 "$name" SOA 2>/dev/null |
		sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1
}

# The log's size in bytes now (td_zone_log reads only what came after).
td_log_size() { stat -c %s -- "$TD_LOG" 2>/dev/null || echo 0; }

# What knot logged about loading ZONE since byte OFFSET, for a one-line error: the zone file's
# bad line ("REASON at line N of FILE") when the parser named one, else knot's last error line.
td_zone_log() {
	local zone=$1 offset=${2:-0} line
	[[ -f $TD_LOG && ! -L $TD_LOG ]] || return 0
	line=$(tail -c +"$((offset + 1))" -- "$TD_LOG" | grep -F "[$zone.] zone loader, error in zone" | tail -n 1 |
		sed -n "s/.*file '\\([^']*\\)', line \\([0-9]*\\) (\\(.*\\))\$/\\3 at line \\2 of \\1/p")
	if [[ -z $line ]]; then
		line=$(tail -c +"$((offset + 1))" -- "$TD_LOG" | grep -F "[$zone.]" | grep -E ' (error|warning): ' | tail -n 1 | sed 's/^[^ ]* [a-z]*: //')
	fi
	printf '%s\n' "$line"
}
