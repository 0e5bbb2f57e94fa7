#!/bin/sh
# The USDT probes seen by bpftrace: attached to a known workload
# (probe_workload.c), they count exactly the requests it made, by path,
# the reseeds by reason, the states taken and the fork reclaim.
# With a third argument, also the shipped script vgetrandom.bt, pointed at
# this build's library: its totals show the same counts.
# The workload starts only after the tracer has shown that each probe the
# test counts is attached: a pinger ("probe-workload ping", named vgr-ping)
# fires them until the tracer reports each one seen.  bpftrace attaches
# probes one at a time, and its BEGIN marks the start of that, not its end.
# usage: test_bpftrace.sh LIBRARY WORKLOAD [VGETRANDOM_BT]
#        (exit 77: bpftrace cannot run here)
set -u
lib=$(readlink -f "$1")
work=$2
script=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v bpftrace >/dev/null || { echo "SKIP: bpftrace is not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: bpftrace needs root"; exit 77; }
readelf -n "$lib" | grep -q 'Provider: vgetrandom' || { echo "SKIP: built without probes"; exit 77; }

# uprobes need tracefs; mount it where it is missing (as bpftrace's docs say).
if [ ! -e /sys/kernel/tracing/uprobe_events ] && [ ! -e /sys/kernel/debug/tracing/uprobe_events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
		{ echo "SKIP: no tracefs (uprobe_events) and it cannot be mounted"; exit 77; }
fi

# start_tracer MARKER OUT ERR BPFTRACE-ARGS...: bpftrace in the background
# ($bt), output to OUT; returns once OUT shows MARKER (attached), 1 if it
# never does.
start_tracer() {
	marker=$1 tout=$2 terr=$3
	shift 3
	bpftrace "$@" >"$tout" 2>"$terr" &
	bt=$!
	for _ in $(seq 600); do
		grep -q "$marker" "$tout" 2>/dev/null && return 0
		kill -0 $bt 2>/dev/null || break
		sleep 0.1
	done
	grep -q "$marker" "$tout" 2>/dev/null
}
# stop_tracer: end it so it prints its maps.  TERM, not INT: a shell starts
# background jobs with SIGINT ignored; KILL if it has not ended in 30 s.
stop_tracer() {
	t0=$(date +%s)
	kill -TERM $bt 2>/dev/null
	( sleep 30; kill -KILL $bt ) >/dev/null 2>&1 &
	guard=$!
	wait $bt
	kill $guard 2>/dev/null
	[ $(($(date +%s) - t0)) -lt 5 ] || echo "note: the tracer took $(($(date +%s) - t0)) s to end"
}

# start_ping: the pinger in the background ($ping), its backend in $ping_backend
start_ping() {
	"$work" ping >"$tmp/ping.out" &
	ping=$!
	for _ in $(seq 300); do
		ping_backend=$(sed -n 's/^backend //p' "$tmp/ping.out")
		[ -n "$ping_backend" ] && return 0
		sleep 0.1
	done
	echo "FAIL: the pinger did not start"; exit 1
}
stop_ping() { kill $ping 2>/dev/null; wait $ping 2>/dev/null; }
# await_seen FILE PATTERN...: returns once FILE has a line matching each
# PATTERN (the tracer saw the pinger fire that probe); FAIL after 60 s.
await_seen() {
	f=$1
	shift
	for _ in $(seq 600); do
		all=1
		for pat in "$@"; do grep -q "$pat" "$f" 2>/dev/null || { all=0; break; }; done
		[ $all = 1 ] && return 0
		kill -0 $bt 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: the tracer never saw the pinger fire: $*"
	stop_ping
	stop_tracer
	exit 1
}

p="usdt:$lib:vgetrandom"
# Attached to the library file, so to every process that maps it: keyed by
# pid, since another process (a parallel test) fires the same probes.
# (bpftrace -c cannot resolve a library's probes before the exec.)  Each
# handler also reports, once, that it saw the pinger.
seen() { # NAME: the handshake statement of one handler
	printf 'if (comm == "vgr-ping" && @seen_%s == 0) { @seen_%s = 1; printf("seen %s\\n"); }' \
		"$1" "$1" "$1"
}
start_ping
if ! start_tracer ready "$tmp/maps" "$tmp/bt.err" -q -e "
BEGIN { printf(\"ready\\n\"); }
$p:request { @request[pid, arg2] = count(); @bytes[pid, arg2] = sum(arg0); $(seen request) }
$p:reseed { @reseed[pid, arg0] = count(); $(seen reseed) }
$p:state_take { @take[pid] = count(); $(seen take) }
$p:fork_reclaim { @reclaim[pid] = count(); $(seen reclaim) }
$p:fallback { @fallback[pid, arg0] = count(); }
"; then
	stop_tracer
	stop_ping
	# An error in the program above is this test's defect, not the machine's.
	grep -q '^stdin:[0-9]' "$tmp/bt.err" && { echo "FAIL: $(head -3 "$tmp/bt.err")"; exit 1; }
	echo "SKIP: bpftrace cannot attach here: $(grep -v RLIMIT "$tmp/bt.err" | head -2)"
	exit 77
fi
# The probes this backend fires, each seen from the pinger.
case $ping_backend in
syscall) await_seen "$tmp/maps" "seen request" ;;
chacha-*) await_seen "$tmp/maps" "seen request" "seen take" "seen reclaim" "seen reseed" ;;
*) await_seen "$tmp/maps" "seen request" "seen take" "seen reclaim" ;;
esac
stop_ping
"$work" >"$tmp/work.out"; wrc=$?
stop_tracer
out=$(cat "$tmp/work.out" "$tmp/maps")
[ $wrc = 0 ] || { echo "FAIL: the workload exited $wrc"; exit 1; }
backend=$(sed -n 's/^backend \([^ ]*\) pid .*/\1/p' "$tmp/work.out")
parent=$(sed -n 's/^backend .* pid \([0-9]*\) child .*/\1/p' "$tmp/work.out")
child=$(sed -n 's/^backend .* child \([0-9]*\)$/\1/p' "$tmp/work.out")
# value MAP KEY...: the count bpftrace printed for @MAP[KEY...], else 0
value() {
	m=$1; shift
	k=$(echo "$*" | sed 's/ /, /g')
	v=$(printf '%s\n' "$out" | sed -n "s/^@$m\[$k\]: //p")
	echo "${v:-0}"
}
fail=0
expect() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: $2, expected $3"; fail=1; fi
}
[ -n "$parent" ] && [ -n "$child" ] || { echo "FAIL: no pids ($out)"; exit 1; }
case $backend in
vdso+chacha-*) small=1 big=2 ;;
vdso) small=1 big=1 ;;
chacha-*) small=3 big=2 ;;
*) small=4 big=4 ;;
esac
# The parent's first request is served by the system call before any setup
# (lib/backend.c): a 'first' fallback (9), on the syscall path (4).
first=1
expect "fallbacks to the system call: first" "$(value fallback "$parent" 9)" 1
if [ $small != 4 ]; then
	expect "parent's first request, on the syscall path" "$(value request "$parent" 4)" 1
fi
if [ $small = $big ]; then
	expect "parent requests on path $small" "$(value request "$parent" $small)" $((1101 - first * (small != 4)))
else
	expect "parent requests on path $small" "$(value request "$parent" $small)" 1000
	expect "parent requests on path $big (bulk)" "$(value request "$parent" $big)" 100
	expect "bulk bytes" "$(value bytes "$parent" $big)" 409600
fi
expect "child requests on path $small" "$(value request "$child" $small)" 1
if [ $small != 4 ]; then
	expect "states taken by the parent" "$(value take "$parent")" 1
	expect "fork reclaims in the child" "$(value reclaim "$child")" 1
fi
if [ $small = 3 ]; then
	expect "reseeds: new" "$(value reseed "$parent" 1)" 1
	expect "reseeds: explicit" "$(value reseed "$parent" 5)" 1
	expect "reseeds: fork (child)" "$(value reseed "$child" 2)" 1
fi
expect "fallbacks to the system call" "$(printf '%s\n' "$out" | grep -c "^@fallback\[$parent,")" $first

if [ -n "$script" ] && [ $small = 1 ] && [ $big = 2 ]; then
	installed=$(sed -n 's/.*Tracing libvgetrandom (\([^)]*\)).*/\1/p' "$script")
	sed "s|$installed|$lib|g" "$script" >"$tmp/vgetrandom.bt"
	start_ping
	start_tracer Tracing "$tmp/table" "$tmp/bt2.err" "$tmp/vgetrandom.bt"
	# Its table, printed each second, shows the pinger's calls once the
	# request probe is attached.
	await_seen "$tmp/table" "^@calls\[$ping, vgr-ping, vdso\]"
	stop_ping
	"$work" >"$tmp/work2.out"
	pid2=$(sed -n 's/^backend .* pid \([0-9]*\) child .*/\1/p' "$tmp/work2.out")
	stop_tracer
	# The totals it prints when tracing ends: one line per key.
	totals=$(sed -n '/^--- totals/,$p' "$tmp/table")
	got_vdso=$(printf '%s\n' "$totals" | sed -n "s/^@calls\[$pid2, probe-workload, vdso\]: //p" | tr '\n' ' ')
	got_bulk=$(printf '%s\n' "$totals" | sed -n "s/^@calls\[$pid2, probe-workload, bulk\]: //p" | tr '\n' ' ')
	expect "vgetrandom.bt: vdso calls" "${got_vdso:-none}" "1000 "
	expect "vgetrandom.bt: bulk calls" "${got_bulk:-none}" "100 "
fi
exit $fail
