# shellcheck shell=bash
# Shared helpers of ops/mailstack/{start,stop,status,selftest}. Sourced, never run.
#
# Everything the private mail stack needs is installed from Debian's archive by
# mailstack_install_packages; nothing under /etc is edited, and every daemon and tool is
# pointed at the stack's own folder (dovecot -c, doveadm -c, postfix -c, postqueue -c).

MAILSTACK_HOST=127.0.0.1
# opendkim signs (a Postfix milter) with keys it reads from the database through OpenDBX
# (libopendbx1-sqlite3 is the backend; the opendkim package does not pull it in).
MAILSTACK_PACKAGES=(postfix postfix-sqlite dovecot-core dovecot-imapd dovecot-lmtpd dovecot-sqlite opendkim libopendbx1-sqlite3)
# The signer's user (it must be able to read the key files: mail.dkim.signer_user).
MS_OPENDKIM_USER=${MAILSTACK_OPENDKIM_USER:-opendkim}

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

# --- Folders and files a root script may use -----------------------------------------------
# The rule (issue 7, point 4): a folder a root script uses is made by mktemp -d, or made now by
# mkdir, or else refused unless it is a real folder (not a symbolic link) owned by the running
# user and writable by nobody else; every folder above it belongs to root (or the running
# user) and is not writable by others unless sticky (/tmp, /var/tmp), so that nobody can swap
# it after the check. Files are written as new files inside such a folder (a mktemp name, then
# rename), never through a symbolic link. No chgrp/chmod follows a link: the database's mode
# and group are set on a descriptor opened with O_NOFOLLOW after checking what it is.
# A refusal exits 64 with one line naming the path, why, and what to do.

# The group that may write the database folder and files: postfix (its lookups run as user
# postfix), or MAILSTACK_DB_GROUP (a group the mail servers' users belong to).
MS_DB_GROUP=${MAILSTACK_DB_GROUP:-postfix}

# lstat fields of PATH (no link followed): "UID GID OCTAL-MODE TYPE", TYPE as stat's %F.
ms_lstat() { stat -c '%u %g %a %F' -- "$1" 2>/dev/null; }

# Owner, group and mode of PATH, for messages.
ms_describe() { stat -c '%U:%G, mode %a' -- "$1" 2>/dev/null || printf 'unknown owner\n'; }

# Refuse every PATH that is a symbolic link (nothing a root script writes goes through one).
ms_no_link() {
	local path
	for path in "$@"; do
		path=$(ms_trim "$path")
		if [[ -L $path ]]; then
			ms_die 64 "refusing $path: it is a symbolic link (to $(readlink -- "$path")); a root script writes nothing through a link (planted by someone? remove it)"
		fi
	done
}

# PATH without trailing slashes ("dir/" would make -L and lstat follow a link named dir).
ms_trim() {
	local path=$1
	while [[ $path == */ && $path != / ]]; do path=${path%/}; done
	printf '%s\n' "$path"
}

# ms_check_path_links PATH: no component of PATH as written is a symbolic link of anyone but
# root or the running user (one of another user's, in /var/tmp say, could point anywhere).
ms_check_path_links() {
	local path p='' part owner me i
	local -a parts
	path=$(ms_trim "$1")
	[[ $path == /* ]] || path=$PWD/$path
	me=$(id -u)
	IFS=/ read -ra parts <<<"${path#/}"
	for ((i = 0; i < ${#parts[@]}; i++)); do
		part=${parts[i]}
		[[ -n $part ]] || continue
		p=$p/$part
		if [[ -L $p ]]; then
			owner=$(stat -c %u -- "$p" 2>/dev/null) || owner=''
			if [[ $owner != 0 && $owner != "$me" ]]; then
				ms_die 64 "refusing $1: $p on its way is a symbolic link of $(stat -c %U -- "$p" 2>/dev/null || echo 'another user') (to $(readlink -- "$p")); name the real folder"
			fi
		fi
	done
}

# ms_check_ancestors PATH: every folder above PATH (an absolute path without links) belongs to
# root or the running user and is not writable by group or others unless sticky.
ms_check_ancestors() {
	local path=$1 p=/ me fields uid mode type m i
	local -a parts
	me=$(id -u)
	IFS=/ read -ra parts <<<"${path#/}"
	for ((i = -1; i < ${#parts[@]} - 1; i++)); do
		if ((i >= 0)); then
			[[ -n ${parts[i]} ]] || continue
			p=${p%/}/${parts[i]}
		fi
		fields=$(ms_lstat "$p") || ms_die 64 "cannot inspect $p (a folder above $path)"
		read -r uid _ mode type <<<"$fields"
		[[ $type == directory ]] || ms_die 64 "refusing $path: $p above it is a $type, not a folder"
		if [[ $uid != 0 && $uid != "$me" ]]; then
			ms_die 64 "refusing $path: the folder $p above it belongs to $(ms_describe "$p"), so that user could swap what is inside; use a folder under one that only root controls"
		fi
		m=$((8#$mode))
		if ((m & 8#022 && !(m & 8#1000))); then
			ms_die 64 "refusing $path: the folder $p above it is writable by group or others and not sticky ($(ms_describe "$p")); use a folder under one that only root controls"
		fi
	done
}

# ms_check_own_dir PATH [GROUP]: PATH is an existing real folder owned by the running user,
# not writable by others, and by its group only when that group is GROUP (the database
# folder's); its ancestors pass ms_check_ancestors. Refuses (exit 64) otherwise.
ms_check_own_dir() {
	local path group_ok=${2:-} fields uid gid mode type m
	path=$(ms_trim "$1")
	ms_no_link "$path"
	ms_check_path_links "$path"
	fields=$(ms_lstat "$path") || ms_die 64 "refusing $path: it does not exist or cannot be inspected"
	read -r uid gid mode type <<<"$fields"
	[[ $type == directory ]] || ms_die 64 "refusing $path: it is a $type, not a folder"
	if [[ $uid != "$(id -u)" ]]; then
		ms_die 64 "refusing $path: it belongs to $(ms_describe "$path"), not to $(id -un) (made by someone else? remove it, or name another folder)"
	fi
	m=$((8#$mode))
	if ((m & 8#002)); then
		ms_die 64 "refusing $path: it is writable by others ($(ms_describe "$path")); remove it, or name another folder"
	fi
	if ((m & 8#020)) && ! [[ -n $group_ok && $gid == "$(getent group "$group_ok" | cut -d: -f3)" ]]; then
		ms_die 64 "refusing $path: it is writable by its group ($(ms_describe "$path")); remove it, or name another folder"
	fi
	ms_check_ancestors "$(realpath -e -- "$path")"
}

# ms_own_dir PATH [MODE]: use PATH as a folder of this script: made now with mkdir (its parent
# must exist and pass ms_check_ancestors), or an existing one that passes ms_check_own_dir.
ms_own_dir() {
	local path mode=${2:-0755} parent
	path=$(ms_trim "$1")
	ms_no_link "$path"
	ms_check_path_links "$path"
	if [[ ! -e $path ]]; then
		parent=$(dirname -- "$path")
		[[ -d $parent ]] || ms_die 64 "cannot make $path: its parent folder $parent does not exist"
		ms_check_ancestors "$(realpath -e -- "$parent")/$(basename -- "$path")"
		# mkdir fails if something appeared meanwhile: then the checks below decide.
		mkdir -m "$mode" -- "$path" 2>/dev/null || true
	fi
	ms_check_own_dir "$path"
}

# ms_sub_dir PATH MODE [OWNER]: a folder inside a checked folder: made when missing, refused when
# a link or not a folder, then given MODE (and OWNER, with chown -h).
ms_sub_dir() {
	local path=$1 mode=$2 owner=${3:-}
	ms_no_link "$path"
	if [[ -e $path && ! -d $path ]]; then ms_die 64 "refusing $path: it exists and is not a folder (remove it)"; fi
	[[ -d $path ]] || mkdir -m "$mode" -- "$path"
	chmod "$mode" -- "$path"
	if [[ -n $owner ]]; then chown -h -- "$owner" "$path"; fi
}

# ms_write_file TARGET MODE: standard input becomes TARGET, a new file in a checked folder (a
# fresh mktemp name renamed over TARGET). A TARGET that is a link or not a regular file is refused.
ms_write_file() {
	local target=$1 mode=$2 tmp
	ms_no_link "$target"
	if [[ -e $target && ! -f $target ]]; then ms_die 64 "refusing $target: it exists and is not a regular file (remove it)"; fi
	tmp=$(mktemp -- "$target.new.XXXXXX") || ms_die 73 "cannot create a file next to $target"
	if ! { cat >"$tmp" && chmod "$mode" -- "$tmp" && mv -fT -- "$tmp" "$target"; }; then
		rm -f -- "$tmp"
		ms_die 73 "cannot write $target"
	fi
}

# ms_log_file PATH...: log files kept across runs: an existing one must be a regular file (not a
# link); a missing one is created new (noclobber), mode 0644.
ms_log_file() {
	local path
	for path in "$@"; do
		ms_no_link "$path"
		if [[ -e $path ]]; then
			[[ -f $path ]] || ms_die 64 "refusing $path: it exists and is not a regular file (remove it)"
		else
			(set -C && : >"$path") || ms_die 73 "cannot create $path"
			chmod 0644 -- "$path"
		fi
	done
}

# ms_set_group_mode PATH GROUP MODE file|dir: chgrp and chmod PATH without following a link:
# checks with lstat that PATH is a regular file (with one link) or a folder owned by the
# running user, opens it with O_NOFOLLOW, checks the descriptor is the same file, and changes
# group and mode on the descriptor. Refuses (exit 64) with the reason otherwise.
ms_set_group_mode() {
	local path=$1 group=$2 mode=$3 kind=$4 gid why
	gid=$(getent group "$group" | cut -d: -f3) || ms_die 69 "no group $group on this host"
	if ! why=$(perl -e '
		use strict; use warnings;
		use Fcntl qw(O_RDONLY O_NOFOLLOW O_NONBLOCK O_DIRECTORY S_ISREG S_ISDIR);
		my ($path, $gid, $mode, $kind) = @ARGV;
		my @l = lstat($path) or die "cannot inspect it: $!\n";
		die "it is a symbolic link\n" if -l _;
		my $flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
		$flags |= O_DIRECTORY if $kind eq "dir";
		sysopen(my $fh, $path, $flags) or die "cannot open it without following links: $!\n";
		my @s = stat($fh) or die "cannot inspect it: $!\n";
		die "it changed while being checked\n" unless $s[0] == $l[0] && $s[1] == $l[1];
		if ($kind eq "dir") { die "it is not a folder\n" unless S_ISDIR($s[2]); }
		else {
			die "it is not a regular file\n" unless S_ISREG($s[2]);
			die "it has $s[3] hard links\n" unless $s[3] == 1;
		}
		die "it belongs to uid $s[4], not to uid $<\n" unless $s[4] == $<;
		chown(-1, $gid, $fh) or die "chgrp failed: $!\n";
		chmod(oct($mode), $fh) or die "chmod failed: $!\n";
	' -- "$path" "$gid" "$mode" "$kind" 2>&1); then
		ms_die 64 "refusing to chgrp/chmod $path: ${why:-perl failed} (remove or fix it)"
	fi
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
# OUT is written as a new file (ms_write_file), mode $MS_RENDER_MODE (default 0644).
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
	printf '%s\n' "$text" | ms_write_file "$out" "${MS_RENDER_MODE:-0644}"
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
	# OpenDKIM: its config and script in a root folder; its socket in a folder of its user's
	# (it binds after dropping privileges); its pid file in root's run/ (written before).
	MS_OPENDKIM_DIR=$dir/opendkim
	MS_OPENDKIM_CONF=$dir/opendkim/opendkim.conf
	MS_OPENDKIM_RUN=$dir/run/opendkim
	MS_OPENDKIM_SOCKET=$dir/run/opendkim/opendkim.sock
	MS_OPENDKIM_PID=$dir/run/opendkim.pid
	MS_OPENDKIM_LOG=$dir/log/opendkim.log
	# The second OpenDKIM, for Ed25519 keys (RFC 8463): OpenDKIM 2.11 signs with the one
	# SignatureAlgorithm of its configuration, so each algorithm has a process of its own.
	MS_OPENDKIM_ED_CONF=$dir/opendkim/opendkim-ed25519.conf
	MS_OPENDKIM_ED_SOCKET=$dir/run/opendkim/ed25519.sock
	MS_OPENDKIM_ED_PID=$dir/run/opendkim-ed25519.pid
	MS_OPENDKIM_ED_LOG=$dir/log/opendkim-ed25519.log
}

# Is PID a live process? A zombie counts as gone: PID 1 of a container may reap late.
ms_pid_alive() {
	local pid=$1 stat
	kill -0 "$pid" 2>/dev/null || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# --- The daemons of a stack ----------------------------------------------------------------
# A PID is acted on only when its process is this stack's daemon: it runs the Dovecot or
# Postfix master binary (/proc/PID/exe), as root, and names this stack's config (dovecot -c
# DIR/dovecot.conf; Postfix's master has MAIL_CONFIG=DIR/postfix in its environment); or it
# runs the opendkim binary as the signer's user (it drops root itself) with -x
# DIR/opendkim/opendkim.conf. The pid files are read only from the stack's own root-owned
# folders; when one is missing or names another process, the stack's daemon is looked for in /proc.

ms_dovecot_bin() {
	local bin
	bin=$(command -v dovecot 2>/dev/null) || return 1
	realpath -e -- "$bin"
}
ms_postfix_master_bin() {
	local dir
	dir=$(postconf -dh daemon_directory 2>/dev/null) || return 1
	[[ -n $dir ]] && printf '%s/master\n' "$dir"
}
ms_opendkim_bin() {
	local bin
	bin=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v opendkim 2>/dev/null) || return 1
	realpath -e -- "$bin"
}

# ms_is_stack_daemon dovecot|postfix|opendkim PID: is PID this stack's (ms_paths) daemon? When not,
# MS_WHY says why.
ms_is_stack_daemon() {
	local kind=$1 pid=$2 exe='' want='' uid='' i word
	local -a words=()
	MS_WHY=''
	if ! ms_pid_alive "$pid"; then MS_WHY='no such process'; return 1; fi
	exe=$(readlink -- "/proc/$pid/exe" 2>/dev/null) || exe=''
	exe=${exe% (deleted)}
	case $kind in
	dovecot) want=$(ms_dovecot_bin) || want='' ;;
	postfix) want=$(ms_postfix_master_bin) || want='' ;;
	opendkim | opendkim-ed25519) want=$(ms_opendkim_bin) || want='' ;;
	esac
	if [[ -z $want || $exe != "$want" ]]; then
		MS_WHY="it runs ${exe:-a program this user cannot see}, not ${want:-the $kind master}"
		return 1
	fi
	uid=$(awk '/^Uid:/ { print $2; exit }' "/proc/$pid/status" 2>/dev/null) || uid=''
	if [[ $kind == opendkim || $kind == opendkim-ed25519 ]]; then
		want=$(id -u "$MS_OPENDKIM_USER" 2>/dev/null) || want=''
		if [[ -z $want || $uid != "$want" ]]; then MS_WHY="it runs as uid ${uid:-?}, not as $MS_OPENDKIM_USER"; return 1; fi
	elif [[ $uid != 0 ]]; then
		MS_WHY="it runs as uid ${uid:-?}, not as root"
		return 1
	fi
	case $kind in
	dovecot)
		mapfile -d '' -t words 2>/dev/null <"/proc/$pid/cmdline" || words=()
		for ((i = 0; i + 1 < ${#words[@]}; i++)); do
			[[ ${words[i]} == -c && ${words[i + 1]} == "$MS_DOVECOT_CONF" ]] && return 0
		done
		MS_WHY="its command line does not name $MS_DOVECOT_CONF"
		;;
	opendkim | opendkim-ed25519)
		local conf=$MS_OPENDKIM_CONF
		[[ $kind == opendkim ]] || conf=$MS_OPENDKIM_ED_CONF
		mapfile -d '' -t words 2>/dev/null <"/proc/$pid/cmdline" || words=()
		for ((i = 0; i + 1 < ${#words[@]}; i++)); do
			[[ ${words[i]} == -x && ${words[i + 1]} == "$conf" ]] && return 0
		done
		MS_WHY="its command line does not name $conf"
		;;
	postfix)
		mapfile -d '' -t words 2>/dev/null <"/proc/$pid/environ" || words=()
		for word in "${words[@]}"; do
			[[ $word == "MAIL_CONFIG=$MS_POSTFIX_CONF" ]] && return 0
		done
		MS_WHY="its environment does not name MAIL_CONFIG=$MS_POSTFIX_CONF"
		;;
	esac
	return 1
}

# The pid file of dovecot|postfix|opendkim in the stack folder.
ms_pid_file() {
	case $1 in
	dovecot) printf '%s\n' "$MS_DOVECOT_BASE/master.pid" ;;
	postfix) printf '%s\n' "$MS_POSTFIX_QUEUE/pid/master.pid" ;;
	opendkim) printf '%s\n' "$MS_OPENDKIM_PID" ;;
	opendkim-ed25519) printf '%s\n' "$MS_OPENDKIM_ED_PID" ;;
	esac
}

# ms_find_daemon dovecot|postfix|opendkim: sets MS_PID to this stack's running master (returns 1 when
# there is none) and MS_REFUSED to a line about a pid file that named something else (or that
# was not read because it or its folder is not root's own), empty otherwise.
ms_find_daemon() {
	local kind=$1 file folder fields uid mode type pid='' comm name p
	MS_PID='' MS_REFUSED=''
	file=$(ms_pid_file "$kind")
	folder=$(dirname -- "$file")
	if [[ -L $folder || -L $file ]]; then
		MS_REFUSED="pid file $file not read: it or its folder is a symbolic link"
	elif [[ -f $file ]]; then
		fields=$(ms_lstat "$folder") || fields=''
		read -r uid _ mode type <<<"$fields"
		if [[ $uid != 0 || $type != directory ]] || (($((8#${mode:-0})) & 8#022)); then
			MS_REFUSED="pid file $file not read: its folder is not root's own ($(ms_describe "$folder"))"
		else
			read -r pid <"$file" 2>/dev/null || true
			pid=${pid//[[:space:]]/}
			if [[ $pid =~ ^[0-9]+$ ]] && ms_pid_alive "$pid"; then
				if ms_is_stack_daemon "$kind" "$pid"; then
					MS_PID=$pid
					return 0
				fi
				MS_REFUSED="refusing pid $pid named in $file: it is not this stack's $kind master ($MS_WHY); left alone"
			fi
		fi
	fi
	# No usable pid file: look for the stack's master among the processes.
	case $kind in dovecot) name=dovecot ;; postfix) name=master ;; opendkim | opendkim-ed25519) name=opendkim ;; esac
	for p in /proc/[0-9]*; do
		comm=''
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == "$name" ]] || continue
		if ms_is_stack_daemon "$kind" "${p#/proc/}"; then
			MS_PID=${p#/proc/}
			return 0
		fi
	done
	return 1
}

# The PID of this stack's running Dovecot or Postfix master, printed (status 1 when none).
ms_dovecot_pid() { ms_find_daemon dovecot && printf '%s\n' "$MS_PID"; }
ms_postfix_pid() { ms_find_daemon postfix && printf '%s\n' "$MS_PID"; }
ms_opendkim_pid() { ms_find_daemon opendkim && printf '%s\n' "$MS_PID"; }
ms_opendkim_ed_pid() { ms_find_daemon opendkim-ed25519 && printf '%s\n' "$MS_PID"; }

# Run a command that starts a daemon as if from a clean login shell: no descriptor above 2
# inherited, no signal blocked or ignored. A daemon keeps what it inherits for its whole life:
# its caller's pipes and sockets (a caller waiting for them to close, such as a test's process
# runner or a shell's $(...), would wait forever), and a blocked SIGTERM (a caller's thread that
# blocks signals, as libdispatch's do, would make it deaf to `stop`).
ms_run_closed() {
	(
		fds=()
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && fds+=("$fd")
		done
		for fd in "${fds[@]}"; do
			{ exec {fd}>&-; } 2>/dev/null || true
		done
		exec perl -e '
			use POSIX ();
			POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new()) or die "sigprocmask: $!\n";
			$SIG{$_} = "DEFAULT" for grep { $_ ne "ZERO" && $_ !~ /^NUM/ } keys %SIG;
			exec { $ARGV[0] } @ARGV or die "cannot run $ARGV[0]: $!\n";
		' -- "$@"
	)
}

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

# Does a milter answer on the Unix socket PATH? Sends the milter protocol's option
# negotiation (SMFIC_OPTNEG, version 6) and wants an SMFIC_OPTNEG reply within SECONDS
# (default 2): a listening socket is not enough, the filter must talk.
ms_milter_answers() {
	local socket=$1 secs=${2:-2}
	[[ -S $socket ]] || return 1
	perl -e '
		use strict; use warnings; use IO::Socket::UNIX; use Socket qw(SOCK_STREAM);
		my ($path, $secs) = @ARGV;
		local $SIG{ALRM} = sub { exit 1 };
		alarm $secs;
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) or exit 1;
		my $body = "O" . pack("NNN", 6, 0x1ff, 0x1fffff);
		print {$s} pack("N", length $body) . $body or exit 1;
		my $got = "";
		while (length $got < 5) { my $n = sysread($s, $got, 5 - length $got, length $got); exit 1 unless $n; }
		exit(substr($got, 4, 1) eq "O" ? 0 : 1);
	' -- "$socket" "$secs" 2>/dev/null
}

# Read the ports a started stack wrote into DIR/env (if any).
ms_read_env_ports() {
	MS_PORTS=()
	[[ -r $MS_ENV && ! -L $MS_ENV ]] || return 0
	local line
	while IFS= read -r line; do
		case $line in
		IMAP_PORT=* | SMTP_PORT=* | SUBMISSION_PORT=* | IMAPS_PORT=* | SUBMISSIONS_PORT=*) MS_PORTS+=("${line#*=}") ;;
		esac
	done <"$MS_ENV"
}

# The private CA and certificates of a stack started with --tls, made in a fresh mktemp folder
# (mode 0700, keys 0600) and renamed into place as DIR/tls (DIR: a folder ms_own_dir checked):
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
	ms_no_link "$out"
	ms_log_file "$dir/log/tls.log"
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
	mv -T -- "$tmp" "$out"
}

# Does a TLS handshake with 127.0.0.1:PORT succeed, the certificate verified against CA for
# the address 127.0.0.1? ms_tls_probe PORT CA [imap|smtp] (the last: STARTTLS first).
ms_tls_probe() {
	local port=$1 ca=$2 starttls=${3:-}
	local args=(-connect "$MAILSTACK_HOST:$port" -CAfile "$ca" -verify_return_error -verify_ip "$MAILSTACK_HOST" -brief)
	[[ -n $starttls ]] && args+=(-starttls "$starttls")
	timeout 5 openssl s_client "${args[@]}" </dev/null >/dev/null 2>&1
}
