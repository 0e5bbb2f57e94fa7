#!/bin/bash
# The programs of the system-wide test, run inside the Debian root by
# tests/system/system.sh, once per pass (library preloaded or not, /proc
# mounted or not, system calls counted or not).  Each program runs under a
# timeout; each gets a check of its output that must give the same verdict
# with and without the preload.
#
# usage: battery.sh RESULTS PROBE_BIN TESTS_LIST COUNT
#   RESULTS     one line per program: NAME<TAB>EXIT<TAB>CHECK<TAB>GETRANDOM_CALLS<TAB>SECONDS
#   PROBE_BIN   tests/system/userland-probe, built outside the root
#   TESTS_LIST  the project's test programs: NAME<TAB>ENV...<TAB>COMMAND...
#   COUNT       1: run each program under strace and count getrandom calls
#               (the project's own test programs are left out of such a pass)
set -u
results=$1 probe=$2 tests_list=$3 count=$4
: >"$results"
work=$(mktemp -d /tmp/battery.XXXXXX)
cd "$work" || exit 1
export HOME=$work LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
have_proc=0
[ -r /proc/self/maps ] && have_proc=1

# run NAME TIMEOUT CMD...: output in $work/NAME.out, exit status in $rc.
# The user "alice" runs setuid programs: setpriv drops to her, and strace
# (as root, -u) keeps setuid binaries setuid under the trace.
run() {
	local name=$1 secs=$2
	shift 2
	out=$work/$name.out
	calls=-
	started=${EPOCHREALTIME/./}
	if [ "$count" = 1 ]; then
		# strace's seccomp-bpf mode sets no_new_privs, which would keep
		# setuid programs from gaining their privileges: not for those.
		local bpf=--seccomp-bpf
		case $name in su*|passwd*|chfn|newgrp) bpf= ;; esac
		timeout -k 5 "$secs" strace -f -qq $bpf -e trace=getrandom \
			-o "$work/$name.strace" "$@" >"$out" 2>&1 </dev/null
		rc=$?
		calls=$(grep -c 'getrandom(' "$work/$name.strace")
	else
		timeout -k 5 "$secs" "$@" >"$out" 2>&1 </dev/null
		rc=$?
	fi
}

# record NAME CHECK: CHECK is "pass" or "fail: why".
record() {
	local us=$((${EPOCHREALTIME/./} - started))
	printf '%s\t%s\t%s\t%s\t%d.%d\n' "$1" "$rc" "$2" "$calls" $((us / 1000000)) \
		$((us / 100000 % 10)) >>"$results"
}

# check EXPR: "pass" when the shell test EXPR holds.
verdict() { if "$@"; then echo pass; else echo "fail"; fi; }
matches() { grep -Eq "$1" "$out"; }

# --- package management ---
run apt-update 120 apt-get update -q
record apt-update "$(verdict [ $rc = 0 ])"
run apt-install 180 apt-get install -y -q --no-install-recommends hello
record apt-install "$(verdict [ $rc = 0 ] && [ "$(hello 2>&1)" = "Hello, world!" ])"
run apt-purge 120 apt-get purge -y -q hello
record apt-purge "$(verdict [ $rc = 0 ] && ! command -v hello >/dev/null)"
run apt-download 120 apt-get download hello
deb=$(ls hello_*.deb 2>/dev/null | head -1)
record apt-download "$(verdict [ $rc = 0 ] && [ -n "$deb" ])"
run dpkg-install 60 dpkg -i "${deb:-missing.deb}"
record dpkg-install "$(verdict [ $rc = 0 ] && dpkg -s hello 2>/dev/null | grep -q 'ok installed')"
run dpkg-remove 60 dpkg -r hello
record dpkg-remove "$(verdict [ $rc = 0 ] && ! dpkg -s hello 2>/dev/null | grep -q 'ok installed')"
rm -f hello_*.deb

# --- Python ---
run python-apis 60 /usr/bin/python3 -c '
import os, secrets, random, uuid
a, b = os.urandom(32), os.urandom(32)
assert len(a) == 32 and a != b and any(a)
assert len(secrets.token_bytes(64)) == 64 and secrets.token_hex(16) != secrets.token_hex(16)
r = random.SystemRandom()
xs = [r.random() for _ in range(100)]
assert len(set(xs)) == 100 and all(0 <= x < 1 for x in xs)
u = uuid.uuid4()
assert u.version == 4 and u != uuid.uuid4()
print("ok")'
record python-apis "$(verdict [ $rc = 0 ] && matches '^ok$')"
run cpython-tests 300 /usr/bin/python3 -m test -q test_os test_random test_secrets test_uuid
record cpython-tests "$(verdict [ $rc = 0 ] && matches 'Tests result: SUCCESS')"

# --- OpenSSL, OpenSSH, GnuPG ---
run openssl-rand 30 openssl rand -hex 32
record openssl-rand "$(verdict [ $rc = 0 ] && matches '^[0-9a-f]{64}$')"
run openssl-genpkey 60 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
record openssl-genpkey "$(verdict [ $rc = 0 ] && openssl pkey -in rsa.pem -check -noout >/dev/null 2>&1)"
run openssl-req 60 openssl req -new -x509 -key rsa.pem -subj /CN=battery -days 1 -out cert.pem
record openssl-req "$(verdict [ $rc = 0 ] && openssl x509 -in cert.pem -noout -subject | grep -q battery)"
for t in rsa dsa ecdsa ed25519; do
	run "ssh-keygen-$t" 60 ssh-keygen -q -t "$t" -N '' -C battery -f "id_$t"
	record "ssh-keygen-$t" "$(verdict [ $rc = 0 ] && ssh-keygen -l -f "id_$t.pub" | grep -q battery)"
done
mkdir -m 700 gnupg
# gpg starts gpg-agent, which generates the key and outlives gpg: stop it
# inside the run, so that its draws are counted and the trace ends.
run gpg-quick-gen-key 120 sh -c 'gpg --homedir "$1" --batch --passphrase "" \
	--quick-gen-key "Battery <battery@example.org>" ed25519 sign never; r=$?
	gpgconf --homedir "$1" --kill all; exit $r' gpg "$work/gnupg"
record gpg-quick-gen-key "$(verdict [ $rc = 0 ] && gpg --homedir "$work/gnupg" --list-keys 2>/dev/null | grep -q battery@example.org)"
gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1

# --- coreutils, util-linux, shells, perl, git ---
run uuidgen 10 sh -c 'uuidgen -r; uuidgen -r'
record uuidgen "$(verdict [ $rc = 0 ] && [ "$(grep -Ec '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "$out")" = 2 ] && [ "$(sort -u "$out" | wc -l)" = 2 ])"
run mktemp 10 mktemp -p "$work" battery.XXXXXXXXXX
record mktemp "$(verdict [ $rc = 0 ] && [ -f "$(cat "$out")" ])"
seq 1 2000 >seq.txt
run shuf 10 shuf seq.txt
record shuf "$(verdict [ $rc = 0 ] && sort -n "$out" | cmp -s - seq.txt && ! cmp -s "$out" seq.txt)"
run sort-R 10 sort -R seq.txt
record sort-R "$(verdict [ $rc = 0 ] && sort -n "$out" | cmp -s - seq.txt && ! cmp -s "$out" seq.txt)"
run bash-SRANDOM 10 bash -c 'echo $SRANDOM; echo $SRANDOM; echo $SRANDOM'
record bash-SRANDOM "$(verdict [ $rc = 0 ] && [ "$(grep -Ec '^[0-9]+$' "$out")" = 3 ] && [ "$(sort -u "$out" | wc -l)" -ge 2 ])"
run perl 10 perl -e 'srand(); my @x = map { int(rand(2**31)) } 1..100; my %u = map { $_ => 1 } @x; print scalar(keys %u), "\n"'
record perl "$(verdict [ $rc = 0 ] && [ "$(cat "$out")" -ge 99 ])"
run git 30 sh -c 'git init -q repo && cd repo && echo x >f && git add f &&
	git -c user.name=B -c user.email=b@example.org commit -qm one && git log --oneline | wc -l'
record git "$(verdict [ $rc = 0 ] && [ "$(tail -1 "$out")" = 1 ])"

# --- setuid programs, as the unprivileged user alice ---
# (alice's password is "alice-pw", bob's "bob-pw"; set by system.sh)
run su 30 sh -c 'echo bob-pw | setpriv --reuid=alice --regid=alice --init-groups su -c "id -un" bob'
record su "$(verdict [ $rc = 0 ] && matches '^bob$')"
run su-wrong-password 30 sh -c 'echo nope | setpriv --reuid=alice --regid=alice --init-groups su -c "id -un" bob'
record su-wrong-password "$(verdict [ $rc = 1 ] && matches 'Authentication failure')"
run passwd-S 30 setpriv --reuid=alice --regid=alice --init-groups passwd -S
record passwd-S "$(verdict [ $rc = 0 ] && matches '^alice P ')"
run chfn 30 sh -c 'echo alice-pw | setpriv --reuid=alice --regid=alice --init-groups chfn -r 4242'
record chfn "$(verdict [ $rc = 0 ] && grep -q '^alice:[^:]*:[^:]*:[^:]*:,4242,' /etc/passwd)"
run newgrp 30 sh -c 'echo "id -gn" | setpriv --reuid=alice --regid=alice --init-groups newgrp battery'
record newgrp "$(verdict [ $rc = 0 ] && matches '^battery$')"
if [ $have_proc = 1 ]; then
	# While alice's su waits for a password, look at what it has loaded.
	(sleep 3 | setpriv --reuid=alice --regid=alice --init-groups su -c true bob >/dev/null 2>&1) &
	sleep 1
	supid=$(pgrep -x -u root su | head -1)
	maps="not loaded"
	[ -n "$supid" ] && grep -q libvgetrandom "/proc/$supid/maps" && maps=loaded
	wait
	rc=0 calls=- started=${EPOCHREALTIME/./}
	record setuid-maps "$maps"
fi

# --- awkward processes ---
for m in vfork atfork seccomp threads; do
	run "probe-$m" 30 "$probe" "$m"
	record "probe-$m" "$(verdict [ $rc = 0 ] && matches "^ok $m ")"
done
run probe-closefds 30 "$probe" closefds "$work/closefds.txt"
record probe-closefds "$(verdict [ $rc = 0 ] && grep -q '^ok closefds$' "$work/closefds.txt")"

# --- the project's own test programs ---
[ "$count" = 1 ] || while IFS='	' read -r name envs cmd; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	run "test-$name" 300 env $envs $cmd
	record "test-$name" "$(verdict [ $rc = 0 ] || [ $rc = 77 ])"
done <"$tests_list"

rm -rf "$work"
