#!/bin/sh
# End to end, on real programs from Debian that none of us wrote: with the
# library preloaded (LD_PRELOAD, and through `vgetrandom exec`), their
# getrandom/getentropy/arc4random calls stop being system calls, and they
# behave as before.  System calls are counted with strace -f -c.
#
# usage: test_preload.sh LIBRARY VGETRANDOM_COMMAND
# exit 0 pass, 1 fail, 77 skip (no strace, or ptrace not allowed here)
set -u
lib=$1
cmd=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

command -v strace >/dev/null 2>&1 || { echo "no strace: skip"; exit 77; }
strace -f -c -o /dev/null true 2>/dev/null || { echo "ptrace not permitted here: skip"; exit 77; }

# The interpreter itself, not a version-manager shim that forks shells.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

# count MODE CMD...: getrandom system calls made by CMD (and its children)
# with MODE = none | preload | exec, leaving out glibc's own per-process
# call from malloc (8 bytes, GRND_NONBLOCK, from inside libc, where no
# preload can reach).  CMD's stdout goes to $tmp/out.
count() {
	mode=$1
	shift
	set -- strace -f -qq -s 0 -e trace=getrandom -e signal=none -o "$tmp/strace" "$@"
	case $mode in
	none) "$@" >"$tmp/out" ;;
	preload) LD_PRELOAD="$lib" "$@" >"$tmp/out" ;;
	exec) strace_exec "$@" >"$tmp/out" ;;
	esac || { echo "  $mode: command failed" >&2; fail=1; }
	grep -c 'getrandom(' "$tmp/strace" >"$tmp/all" || true
	grep 'getrandom(' "$tmp/strace" | grep -vc ', 8, GRND_NONBLOCK)' || true
}

# strace ... CMD  ->  strace ... vgetrandom exec CMD
strace_exec() {
	args=""
	while [ "$1" != "-o" ]; do args="$args $1"; shift; done
	out=$2
	shift 2
	# shellcheck disable=SC2086
	strace -f -qq -s 0 -e trace=getrandom -e signal=none -o "$out" "$cmd" exec "$@"
}

# check NAME MAX_WITH MIN_WITHOUT CHECK_CMD -- CMD...
#   without the library CMD makes at least MIN_WITHOUT calls; with it (both
#   ways) at most MAX_WITH; CHECK_CMD validates $tmp/out each time.
#   What remains with the library: the process's first request, which the
#   system call serves before any setup (lib/backend.c), and the vDSO's own
#   calls: the first call on a fresh per-thread state fetches its key with
#   one getrandom system call (glibc 2.41 pays the same), and the kernel's
#   reseeds.
check() {
	name=$1 max_with=$2 min_without=$3 validate=$4
	shift 5
	without=$(count none "$@")
	$validate || { echo "  $name: output check failed without the library"; fail=1; }
	with=$(count preload "$@")
	$validate || { echo "  $name: output check failed with LD_PRELOAD"; fail=1; }
	viaexec=$(count exec "$@")
	$validate || { echo "  $name: output check failed under vgetrandom exec"; fail=1; }
	printf '%-34s getrandom syscalls made by the program: %7s without, %5s LD_PRELOAD, %5s vgetrandom exec\n' \
		"$name" "$without" "$with" "$viaexec"
	if [ "$without" -lt "$min_without" ]; then
		echo "  $name: expected at least $min_without calls without the library"; fail=1
	fi
	for n in "$with" "$viaexec"; do
		if [ "$n" -gt "$max_with" ]; then
			echo "  $name: $n calls with the library, more than $max_with"; fail=1
		fi
	done
}

# Every line of output distinct, and as many as expected.
lines_unique() { [ "$(sort -u "$tmp/out" | wc -l)" -eq "$1" ] && [ "$(wc -l <"$tmp/out")" -eq "$1" ]; }

if [ -n "$py" ]; then
	cat >"$tmp/urandom.py" <<'PY'
import os
seen = set(os.urandom(16) for _ in range(100000))
print(len(seen))
PY
	py_ok() { [ "$(cat "$tmp/out")" = 100000 ]; }
	check "python3 os.urandom x100000" 2 100000 py_ok -- "$py" "$tmp/urandom.py"
	# And it is faster (one run each, wall clock; the ratio is printed,
	# not asserted: speed claims belong to bench/).
	t0=$(date +%s%N); "$py" "$tmp/urandom.py" >/dev/null; t1=$(date +%s%N)
	LD_PRELOAD="$lib" "$py" "$tmp/urandom.py" >/dev/null; t2=$(date +%s%N)
	echo "  python3 100000 x os.urandom(16): $(( (t1 - t0) / 1000000 )) ms without, $(( (t2 - t1) / 1000000 )) ms with LD_PRELOAD"
else
	echo "python3 not installed: part skipped"
fi

if command -v uuidgen >/dev/null 2>&1; then
	printf 'for i in $(seq 200); do uuidgen -r; done\n' >"$tmp/uuids.sh"
	uuid_ok() { lines_unique 200 && ! grep -qvE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "$tmp/out"; }
	# One call per process: the process's first, which the system call
	# serves as it is.  The count cannot drop here; the output must stay
	# right.
	check "uuidgen -r x200" 200 200 uuid_ok -- sh "$tmp/uuids.sh"
else
	echo "uuidgen not installed: part skipped"
fi

if command -v ssh-keygen >/dev/null 2>&1; then
	keygen() { rm -f "$tmp/key" "$tmp/key.pub"; ssh-keygen -q -t ed25519 -N '' -C test -f "$tmp/key"; }
	key_ok() { ssh-keygen -l -f "$tmp/key.pub" >/dev/null && [ -s "$tmp/key" ]; }
	printf 'rm -f "%s/key" "%s/key.pub"; exec ssh-keygen -q -t ed25519 -N "" -C test -f "%s/key"\n' "$tmp" "$tmp" "$tmp" >"$tmp/keygen.sh"
	check "ssh-keygen -t ed25519 (arc4random)" 2 3 key_ok -- sh "$tmp/keygen.sh"
	# Two keys never coincide.
	sh "$tmp/keygen.sh" && cp "$tmp/key.pub" "$tmp/a.pub"
	LD_PRELOAD="$lib" sh "$tmp/keygen.sh" && cp "$tmp/key.pub" "$tmp/b.pub"
	if cmp -s "$tmp/a.pub" "$tmp/b.pub"; then echo "  two ssh keys are equal"; fail=1; fi
else
	echo "ssh-keygen not installed: part skipped"
fi

shuf_ok() { [ "$(sort -n "$tmp/out" | md5sum)" = "$(seq 100000 | md5sum)" ]; }
check "shuf -i 1-100000" 1 1 shuf_ok -- shuf -i 1-100000

exit $fail
