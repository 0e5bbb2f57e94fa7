#!/bin/sh
# A thread's first call and its exit make no system call while a free
# state exists: a program that runs 200 threads one after another, each
# making one call, makes as many rt_sigprocmask calls with the library's
# state arena (vdso, chacha backends) as with no arena at all (syscall
# backend: glibc's pthread_create makes its own), give or take the arena's
# one-time growth; and its getrandom system calls do not grow with the
# threads.  Before the lock-free arena: 4 more rt_sigprocmask per thread.
# usage: test_churn_syscalls.sh PROBE_WORKLOAD
set -u
work=$1
command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
count() { # BACKEND SYSCALL: how many times the churn program made SYSCALL
	VGETRANDOM_BACKEND=$1 strace -f -qq -e trace="$2" -o /dev/stdout "$work" churn 200 |
		grep -c "$2("
}
base=$(count syscall rt_sigprocmask)
fail=0
for b in vdso chacha; do
	n=$(count $b rt_sigprocmask)
	g=$(count $b getrandom)
	extra=$((n - base))
	if [ "$extra" -le 4 ] && [ "$g" -le 4 ]; then
		echo "ok   $b: rt_sigprocmask $n against $base with no arena ($extra for 200 threads); getrandom $g"
	else
		echo "FAIL $b: rt_sigprocmask $n against $base with no arena ($extra for 200 threads); getrandom $g"
		fail=1
	fi
done
exit $fail
