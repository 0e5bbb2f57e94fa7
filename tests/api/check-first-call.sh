#!/bin/sh
# A thread's first call costs no system call when a free state exists:
# 50 threads created and joined one after another, each drawing once,
# make no more system calls than 50 that do not draw (a state comes from
# the free list under an uncontended lock; no signal mask is changed).
# Up to 2 extra are allowed: the vDSO rekeys a state if the kernel's
# generator reseeded in between.  Run per backend (VGETRANDOM_BACKEND).
# usage: check-first-call.sh PROGRAM
# exit 0 pass, 1 fail, 77 skip (no strace, or ptrace not permitted)
set -u
prog=$1
command -v strace >/dev/null 2>&1 || { echo "no strace: skip"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "ptrace not permitted: skip"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for mode in idle draw; do
	strace -f -qq -e signal=none -o "$tmp/$mode" "$prog" 50 $mode || { echo "FAIL: $prog $mode"; exit 1; }
	grep -v -e '+++ exited' -e 'resumed>' "$tmp/$mode" >"$tmp/$mode.calls"
done
idle=$(wc -l <"$tmp/idle.calls") draw=$(wc -l <"$tmp/draw.calls")
extra=$((draw - idle))
echo "backend ${VGETRANDOM_BACKEND:-auto}: 50 threads drawing once made $draw system calls, idle $idle: $extra extra"
if [ $extra -gt 2 ]; then
	echo "FAIL: more than 2 extra system calls; the drawing run's, by name:"
	sed 's/^[0-9]* *//; s/(.*//' "$tmp/draw.calls" | sort | uniq -c | sort -rn | head
	echo "idle run's:"
	sed 's/^[0-9]* *//; s/(.*//' "$tmp/idle.calls" | sort | uniq -c | sort -rn | head
	exit 1
fi
