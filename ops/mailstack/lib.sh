# shellcheck shell=bash
# Shared helpers of ops/mailstack/{start,stop,status,selftest}. Sourced, never run.
#
# Everything the private mail stack needs is installed from Debian's archive by
# mailstack_install_packages; nothing under /etc is edited, and every daemon and tool is
# pointed at the stack's own folder (dovecot -c, doveadm -c, postfix -c, postqueue -c).

MAILSTACK_HOST=127.0.0.1
MAILSTACK_PACKAGES=(postfix postfix-sqlite dovecot-core dovecot-imapd dovecot-lmtpd dovecot-sqlite)

# Bash 5.2 would expand '&' in ${var//pattern/replacement}; paths must stay literal.
shopt -u patsub_replacement 2>/dev/null || true

ms_log() { printf 'mailstack: %s\n' "$*" >&2; }
ms_die() {
	local code=$1
	shift
	printf 'mailstack: error: %s\n' "$*" >&2
	exit "$code"
}

# Milliseconds since the epoch (for timings and deadlines).
ms_now_ms() {
	local t
	t=$(date +%s%N)
	printf '%s\n' "$((t / 1000000))"
}

# True when every package named is installed (dpkg status "install ok installed").
ms_packages_installed() {
	local p status
	for p in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || return 1
	done
	return 0
}

# Install packages from Debian's archive when missing, through the project's one installer.
ms_apt_install() {
	ms_packages_installed "$@" && return 0
	[[ $(id -u) -eq 0 ]] || ms_die 77 "packages missing ($*) and not running as root to install them"
	"$(dirname "${BASH_SOURCE[0]}")/../install-packages" "$@" || ms_die 69 "installing $* failed (see above)"
}

mailstack_install_packages() { ms_apt_install "${MAILSTACK_PACKAGES[@]}"; }

# Replace @KEY@ placeholders in a template with values: ms_render TEMPLATE OUT KEY=VALUE...
ms_render() {
	local template=$1 out=$2 text kv key value
	shift 2
	text=$(<"$template")
	for kv in "$@"; do
		key=${kv%%=*}
		value=${kv#*=}
		text=${text//@"$key"@/"$value"}
	done
	if [[ $text =~ @[A-Z_]+@ ]]; then
		ms_die 70 "template $template: placeholder ${BASH_REMATCH[0]} left unfilled"
	fi
	printf '%s\n' "$text" >"$out"
}

# Can USER reach (search) every folder down to PATH? Names the first one it cannot.
ms_check_reach() {
	local user=$1 path=$2 p=''
	local IFS=/
	local parts
	read -ra parts <<<"${path#/}"
	for part in "${parts[@]}"; do
		p=$p/$part
		if ! runuser -u "$user" -- test -x "$p"; then
			ms_die 64 "user $user cannot reach $path: $p is not searchable for it (chmod o+x $p, or put the stack elsewhere)"
		fi
	done
}

# Paths inside a stack folder; one place so start, stop and status agree.
# shellcheck disable=SC2034 # used by the scripts that source this file
ms_paths() {
	local dir=$1
	MS_DOVECOT_CONF=$dir/dovecot.conf
	MS_POSTFIX_CONF=$dir/postfix
	MS_DOVECOT_BASE=$dir/run/dovecot
	MS_DOVECOT_LOG=$dir/log/dovecot.log
	MS_POSTFIX_LOG=$dir/log/postfix.log
	MS_POSTFIX_QUEUE=$dir/postfix-queue
	MS_ENV=$dir/env
}

# Is PID a live process? A zombie counts as gone: PID 1 of a container may reap late.
ms_pid_alive() {
	local pid=$1 stat
	kill -0 "$pid" 2>/dev/null || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Is a process with the PID in FILE alive (and, if given, is its command NAME)?
ms_pidfile_alive() {
	local file=$1 name=${2:-} pid comm
	[[ -r $file ]] || return 1
	read -r pid <"$file" 2>/dev/null || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	ms_pid_alive "$pid" || return 1
	if [[ -n $name ]]; then
		comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
		[[ $comm == "$name" ]] || return 1
	fi
	printf '%s\n' "$pid"
}

ms_dovecot_pid() { ms_pidfile_alive "$MS_DOVECOT_BASE/master.pid" dovecot; }
ms_postfix_pid() { ms_pidfile_alive "$MS_POSTFIX_QUEUE/pid/master.pid" master; }

# Does anything accept connections on 127.0.0.1:PORT?
ms_port_open() {
	local port=$1
	(exec 3<>"/dev/tcp/$MAILSTACK_HOST/$port") 2>/dev/null
}

# Read the first line a server sends on PORT within SECONDS; prints it (CR stripped).
ms_banner() {
	local port=$1 secs=${2:-2} line=''
	{
		exec 3<>"/dev/tcp/$MAILSTACK_HOST/$port" || return 1
		IFS= read -r -t "$secs" line <&3 || true
		exec 3<&- 3>&-
	} 2>/dev/null || return 1
	printf '%s\n' "${line%$'\r'}"
}

# Read the ports a started stack wrote into DIR/env (if any).
ms_read_env_ports() {
	MS_PORTS=()
	[[ -r $MS_ENV ]] || return 0
	local line
	while IFS= read -r line; do
		case $line in
		IMAP_PORT=* | SMTP_PORT=* | SUBMISSION_PORT=* | IMAPS_PORT=* | SUBMISSIONS_PORT=*) MS_PORTS+=("${line#*=}") ;;
		esac
	done <"$MS_ENV"
}

# The private CA and certificates of a stack started with --tls, made in a fresh mktemp folder
# (mode 0700, keys 0600) and renamed into place as DIR/tls:
#   ca.pem ca.key               the CA (trust ca.pem: mail.ca_file)
#   server.pem server.key       for 127.0.0.1, localhost and mailstack.switchboard.test
#   other-host.pem other-host.key   signed by the CA, for mail.other-host.test only
#   expired.pem expired.key     signed by the CA for 127.0.0.1, valid 2020-01-01 to 2020-01-02
# The last two exist so tests can prove that a wrong host name and an expired certificate are
# refused (served by a TLS server of the test's own).
ms_make_tls() {
	local dir=$1 out tmp
	out=$dir/tls
	command -v openssl >/dev/null || ms_apt_install openssl
	tmp=$(mktemp -d "$dir/tls.new.XXXXXX")
	if ! (
		set -euo pipefail
		umask 077
		cd "$tmp"
		mkdir ca-db
		: >ca-db/index.txt
		printf '1000\n' >ca-db/serial
		cat >ca.cnf <<-'CNF'
			# openssl ca configuration of the test stack's private CA (ops/mailstack/lib.sh).
			[ ca ]
			default_ca = stack_ca
			[ stack_ca ]
			database = ca-db/index.txt
			serial = ca-db/serial
			new_certs_dir = ca-db
			certificate = ca.pem
			private_key = ca.key
			default_md = sha256
			policy = any_name
			unique_subject = no
			copy_extensions = none
			[ any_name ]
			commonName = supplied
			[ req ]
			distinguished_name = req_name
			prompt = no
			[ req_name ]
			CN = Switchboard test mail stack CA
			[ ca_ext ]
			basicConstraints = critical, CA:TRUE
			keyUsage = critical, keyCertSign, cRLSign
			subjectKeyIdentifier = hash
			[ server_ext ]
			basicConstraints = critical, CA:FALSE
			keyUsage = critical, digitalSignature, keyEncipherment
			extendedKeyUsage = serverAuth
			subjectKeyIdentifier = hash
			authorityKeyIdentifier = keyid
			subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:mailstack.switchboard.test
			[ other_host_ext ]
			basicConstraints = critical, CA:FALSE
			keyUsage = critical, digitalSignature, keyEncipherment
			extendedKeyUsage = serverAuth
			subjectKeyIdentifier = hash
			authorityKeyIdentifier = keyid
			subjectAltName = DNS:mail.other-host.test
		CNF
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		key ca.key
		openssl req -config ca.cnf -new -x509 -key ca.key -days 3650 -extensions ca_ext -out ca.pem
		# sign NAME CN EXTENSIONS [openssl ca date options...]
		sign() {
			local name=$1 cn=$2 ext=$3
			shift 3
			key "$name.key"
			openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
			openssl ca -batch -notext -config ca.cnf -extensions "$ext" -in "$name.csr" -out "$name.pem" "$@" 2>/dev/null
			rm -f "$name.csr"
		}
		sign server 127.0.0.1 server_ext -days 825
		sign other-host mail.other-host.test other_host_ext -days 825
		sign expired 127.0.0.1 server_ext -startdate 20200101000000Z -enddate 20200102000000Z
		rm -rf ca-db ca.cnf
		chmod 0644 ./*.pem
		chmod 0600 ./*.key
	) >"$dir/log/tls.log" 2>&1; then
		rm -rf -- "$tmp"
		ms_die 70 "could not make the test CA and certificates with openssl (see $dir/log/tls.log)"
	fi
	# Readable (not the keys) by the test process and the daemons' users.
	chmod 0755 "$tmp"
	rm -rf -- "$out"
	mv -- "$tmp" "$out"
}

# Does a TLS handshake with 127.0.0.1:PORT succeed, the certificate verified against CA for
# the address 127.0.0.1? ms_tls_probe PORT CA [imap|smtp] (the last: STARTTLS first).
ms_tls_probe() {
	local port=$1 ca=$2 starttls=${3:-}
	local args=(-connect "$MAILSTACK_HOST:$port" -CAfile "$ca" -verify_return_error -verify_ip "$MAILSTACK_HOST" -brief)
	[[ -n $starttls ]] && args+=(-starttls "$starttls")
	timeout 5 openssl s_client "${args[@]}" </dev/null >/dev/null 2>&1
}
