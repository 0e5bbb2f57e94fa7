#!/bin/sh
# A statically linked tests/api/static_user.c (glibc: check-install.sh,
# musl: tests/harness.sh): no dynamic loader at all, every call served,
# the backend the kernel allows (the vDSO where it has one: EXPECT), and
# its 2000 requests make at most 4 getrandom system calls (the vDSO's
# first key, libc's own malloc seed), not one each.
# usage: check-static-user.sh PROGRAM EXPECTED_BACKEND_PREFIX
set -u
prog=$1
want=$2
if readelf -l "$prog" | grep -q 'INTERP'; then
	echo "FAIL: $prog is dynamically linked"
	exit 1
fi
got=$("$prog") || { echo "FAIL: $prog failed"; exit 1; }
case $got in
"$want"*) ;;
*) echo "FAIL: $prog reports backend '$got', expected $want*"; exit 1 ;;
esac
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	log=$(mktemp)
	strace -f -qq -e trace=getrandom -e signal=none -o "$log" "$prog" >/dev/null
	n=$(grep -c getrandom "$log")
	rm -f "$log"
	if [ "$n" -gt 4 ]; then
		echo "FAIL: $prog made $n getrandom system calls for 2000 requests"
		exit 1
	fi
	echo "static $(basename "$prog"): backend $got, $n getrandom system calls for 2000 requests"
else
	echo "static $(basename "$prog"): backend $got (no strace here: system calls not counted)"
fi
