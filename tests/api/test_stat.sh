#!/bin/sh
# `vgetrandom stat` reports what the library did, per process, across
# fork, threads and exec; writes nothing to the command's own output;
# exits with its status; writes -o FILE whole even when the command is
# killed; and the library other processes load has no counting in it.
# usage: test_stat.sh VGETRANDOM_COMMAND LIBRARY PROBE_WORKLOAD [INSECURE_NOT_READY]
set -u
cmd=$1 lib=$2 work=$3 insecure=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# total FIELD FILE: the number before FIELD on the report's totals line
total() { sed -n "2s/.* \([0-9]*\) $1.*/\1/p" "$2"; }

# 100,000 os.urandom calls through unmodified python3.
"$cmd" stat -o "$tmp/py" -- /usr/bin/python3 -c 'import os; [os.urandom(16) for _ in range(100000)]'
r=$?
calls=$(sed -n '2s/.*, \([0-9]*\) calls,.*/\1/p' "$tmp/py")
avoided=$(total avoided "$tmp/py")
if [ $r = 0 ] && [ "${calls:-0}" -ge 100000 ] && [ "${avoided:-0}" -ge 99990 ]; then
	ok "python3: $calls calls, $avoided system calls avoided"
else
	bad "python3: exit $r, calls '$calls', avoided '$avoided'"; cat "$tmp/py"
fi

# A forking program: two processes, each its own counts.
"$cmd" stat -o "$tmp/fork" -- "$work" >"$tmp/fork.out"
parent=$(sed -n 's/.* pid \([0-9]*\) child.*/\1/p' "$tmp/fork.out")
child=$(sed -n 's/.* child \([0-9]*\)$/\1/p' "$tmp/fork.out")
pcalls=$(grep -A1 "^pid $parent " "$tmp/fork" | sed -n 's/^  calls: *\([0-9]*\).*/\1/p')
ccalls=$(grep -A1 "^pid $child " "$tmp/fork" | sed -n 's/^  calls: *\([0-9]*\).*/\1/p')
creclaim=$(grep -A3 "^pid $child " "$tmp/fork" | grep -c ' 1 fork reclaims')
if [ "$pcalls" = 1101 ] && [ "$ccalls" = 1 ] && [ "$creclaim" = 1 ]; then
	ok "fork: parent $pcalls calls, child $ccalls call and its fork reclaim"
else
	bad "fork: parent '$pcalls' (want 1101), child '$ccalls' (want 1), reclaim $creclaim"; cat "$tmp/fork"
fi

# Threads: 8 threads x 10 calls, 8 states taken (plus none for main).
"$cmd" stat -o "$tmp/thr" -- "$work" threads
tcalls=$(sed -n 's/^  calls: *\([0-9]*\).*/\1/p' "$tmp/thr")
taken=$(sed -n 's/^  states: *\([0-9]*\) taken.*/\1/p' "$tmp/thr")
if [ "$tcalls" = 80 ] && [ "$taken" = 8 ]; then
	ok "threads: $tcalls calls, $taken states taken"
else
	bad "threads: calls '$tcalls' (want 80), taken '$taken' (want 8)"; cat "$tmp/thr"
fi

# exec: a shell that runs python3 twice; each process reported.
"$cmd" stat -o "$tmp/exec" -- sh -c '/usr/bin/python3 -c "import os; os.urandom(1)"; /usr/bin/python3 -c "import os; os.urandom(1)"'
n=$(grep -c '^pid .* (python3' "$tmp/exec")
[ "$n" = 2 ] && ok "exec: 2 python3 processes reported" || { bad "exec: $n python3 processes"; cat "$tmp/exec"; }

# Nothing on the command's own output; its exit status.
"$cmd" stat -o "$tmp/quiet" -- /usr/bin/python3 -c 'import os; os.urandom(4); print("hi")' >"$tmp/o" 2>"$tmp/e"
[ "$(cat "$tmp/o")" = hi ] && [ ! -s "$tmp/e" ] && ok "the command's stdout and stderr are its own" ||
	bad "stdout '$(cat "$tmp/o")', stderr '$(cat "$tmp/e")'"
"$cmd" stat -o "$tmp/st" -- sh -c 'exit 3'; r=$?
[ $r = 3 ] && ok "exit status 3 passed on" || bad "exit status $r, not 3"
"$cmd" stat -- sh -c 'exit 0' 2>"$tmp/e"; r=$?
grep -q '^vgetrandom stat: sh exited with status 0' "$tmp/e" && [ $r = 0 ] &&
	ok "without -o the report goes to stderr" || bad "no report on stderr: $(cat "$tmp/e")"

# Killed by a signal: the report is still written, whole, by rename.
"$cmd" stat -o "$tmp/killed" -- sh -c '/usr/bin/python3 -c "import os; os.urandom(8)"; kill -9 $$'; r=$?
if [ $r = 137 ] && grep -q 'killed by signal 9' "$tmp/killed" && grep -q '(python3)' "$tmp/killed" &&
   tail -1 "$tmp/killed" | grep -q '^  reseeds: ' && [ "$(ls "$tmp" | grep -c '^killed.')" = 0 ]; then
	ok "killed by SIGKILL: exit 137, report complete, no temporary file left"
else
	bad "killed: exit $r"; cat "$tmp/killed"; ls "$tmp"
fi

# "made" is what strace counts, on every backend: 50 forked children that
# each draw once (a vDSO child rekeys the state it kept, wiped by the fork),
# then 4 children still drawing after their parent has exited (the command
# waits for them as their subreaper).  strace counts the workload's
# processes: those that exec'd it and what they forked.  (The shell and the
# command's own process make glibc's getrandom for malloc's tcache key,
# which no library sees.)
if command -v strace >/dev/null; then
	for b in vdso hybrid chacha syscall; do
		VGETRANDOM_BACKEND=$b strace -f -qq -e trace=getrandom,execve,clone,clone3,fork,vfork \
			-o "$tmp/st-$b.trace" "$cmd" stat -o "$tmp/st-$b" -- \
			sh -c "'$work' forks 50 && '$work' orphans 4"
		r=$?
		traced=$(awk -v work="$work" '
			/execve\(/ && index($0, "execve(\"" work "\"") { mine[$1] = 1 }
			# The shell is preloaded too: the stat build names the
			# backend at load, and the setup that starts may probe.
			/execve\(/ && index($0, "[\"sh\", \"-c\"") { mine[$1] = 1 }
			/(clone|clone3|fork|vfork)[(]|(clone|clone3|fork|vfork) resumed>/ &&
				match($0, /= [0-9]+$/) { parent[substr($0, RSTART + 2)] = $1 }
			# (The 8-byte calls are glibc itself seeding malloc.)
			/getrandom\(/ && !/resumed>/ && !/, 8, GRND_NONBLOCK\)/ { calls[$1]++ }
			# After the whole trace: a child may draw before its parent
			# returns from clone, so its line comes first.
			END {
				for (p in calls) {
					for (q = p; q != "" && !(q in mine); q = parent[q])
						;
					if (q != "")
						n += calls[p]
				}
				print n + 0
			}' "$tmp/st-$b.trace")
		made=$(total "getrandom system calls made" "$tmp/st-$b")
		calls=$(sed -n '2s/.*, \([0-9]*\) calls,.*/\1/p' "$tmp/st-$b")
		if [ $r = 0 ] && [ "$made" = "$traced" ] && [ "$calls" = 90 ]; then
			ok "$b: $calls calls, $made system calls made, as strace counted"
		else
			bad "$b: exit $r, $calls calls (want 90), made '$made', strace counted $traced"
			cat "$tmp/st-$b"
		fi
	done
else
	echo "skip the strace comparison: strace is not installed"
fi

# State memory refused after start-up (a filter on MAP_DROPPABLE): the
# backend's name stays the one chosen at start, and every request of a
# thread that could get no state is a fallback "state memory refused".
VGETRANDOM_BACKEND=vdso "$cmd" stat -o "$tmp/ref" -- "$work" refused
r=$?
refused=$(sed -n 's/.*(fallbacks:.* refused \([0-9]*\).*/\1/p' "$tmp/ref")
made=$(total "getrandom system calls made" "$tmp/ref")
if [ $r = 77 ]; then
	echo "skip the refusal: no seccomp here"
elif [ $r = 0 ] && [ "${refused:-0}" -gt 0 ] && grep -q "backend vdso" "$tmp/ref"; then
	ok "state memory refused after start-up: $refused fallbacks told, $made system calls made"
else
	bad "refused after start-up: exit $r, fallbacks '$refused'"; cat "$tmp/ref"
fi

# The kernel's RNG not ready (test-insecure-not-ready emulates it): the
# generator cannot seed without blocking, so it declines each GRND_INSECURE
# request, and the system call serves it, told as a fallback "not-seeded"
# and a request on the syscall path, not the generator's.  Three 16-byte
# requests are served so, two of 600 bytes take the bulk path on a key so
# served, and one blocking request waits and is the generator's.
if [ -n "$insecure" ]; then
	VGETRANDOM_BACKEND=chacha "$cmd" stat -o "$tmp/ins" -- "$insecure" >"$tmp/ins.out"
	r=$?
	ns=$(sed -n 's/.*(fallbacks:.* not-seeded \([0-9]*\).*/\1/p' "$tmp/ins")
	callsline=$(grep '^  calls:' "$tmp/ins")
	path() { printf %s "$callsline" | sed -n "s/.* $1 \([0-9]*\) (.*/\1/p"; }
	if [ $r = 77 ]; then
		echo "skip GRND_INSECURE before a seed: no seccomp user notification here"
	elif [ $r = 0 ] && [ "$ns" = 5 ] && [ "$(path syscall)" = 3 ] && [ "$(path bulk)" = 2 ] &&
	     [ "$(path generator)" = 1 ]; then
		ok "GRND_INSECURE before a seed: $ns not-seeded fallbacks, 3 requests on the syscall path"
	else
		bad "GRND_INSECURE before a seed: exit $r, not-seeded '$ns' (want 5), $callsline"
		cat "$tmp/ins" "$tmp/ins.out"
	fi
fi

# Usage errors: -o without its FILE is not a command.
"$cmd" stat -o >"$tmp/o" 2>"$tmp/e"; r=$?
[ $r = 2 ] && grep -q -- "-o needs a FILE" "$tmp/e" && ok "stat -o without FILE: usage error" ||
	bad "stat -o: exit $r, $(cat "$tmp/e")"
# A long LD_PRELOAD is kept whole after the stat build.
long=$(printf '/nonexistent/%0600d.so:' $(seq 20))
LD_PRELOAD="$long" "$cmd" stat -o "$tmp/long" -- sh -c 'printf %s "$LD_PRELOAD"' >"$tmp/lp" 2>/dev/null
case $(cat "$tmp/lp") in
*/libvgetrandom.so.0*:"$long") ok "LD_PRELOAD of $(printf %s "$long" | wc -c) bytes kept whole" ;;
*) bad "LD_PRELOAD became $(wc -c <"$tmp/lp") bytes: $(cut -c1-120 "$tmp/lp")" ;;
esac

# Processes not asked pay nothing: the library they load has no counting.
if grep -q VGETRANDOM_STAT_DIR "$lib"; then
	bad "the library every process loads contains the stat code"
else
	ok "the shipped library has no stat code (the stat build is a separate file)"
fi
exit $fail
