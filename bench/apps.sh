#!/bin/sh
# The applications stage of bench/run.sh: real, unmodified programs from
# Debian's packages, each run three ways side by side:
#   plain        the system's glibc (2.36 on Debian 12), no preload;
#   preload      the same, with libvgetrandom in LD_PRELOAD;
#   glibc-2.41   under glibc 2.41's loader (ld.so --library-path), which
#                uses the vDSO itself, where bench/fetch-peers.sh fetched it
#                (VGR_BENCH_GLIBC241).
# Every way starts the program through env(1), so that all three pay the
# same extra exec.  The times come from hyperfine (Debian 12 ships 1.15):
# warm-up runs, no shell (-N), JSON export.  hyperfine runs one command's
# runs back to back, so the stage interleaves the ways itself: several
# rounds of a few runs each, the ways in a rotated order every round, and
# the median of all runs (and their min-max) per program and way.  The
# getrandom system calls of one run are counted with strace.
#
# usage: sh bench/apps.sh BUILDDIR [--quick]
# Writes bench-results/apps.csv, apps.json and apps.png (with gnuplot), and
# hyperfine's own JSON of every round under bench-results/apps-hyperfine/.
# Takes about 2.5 minutes here, --quick under 30 seconds.
set -eu
builddir=$1
quick=0
[ "${2:-}" = --quick ] && quick=1
out=bench-results
lib=$(cd "$builddir/lib" && pwd)/libvgetrandom.so
[ -f "$lib" ] || { echo "apps: no $lib (build first)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "apps: hyperfine is not installed" >&2; exit 1; }

if [ $quick = 1 ]; then
	rounds=1 runs=3 warmup=0 loop=10000 shuf_n=100000 sort_n=20000 bash_n=10000
else
	rounds=5 runs=3 warmup=1 loop=100000 shuf_n=1000000 sort_n=100000 bash_n=50000
fi

tmp=$(mktemp -d)
sshd_pids=""
cleanup() {
	for p in $sshd_pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$out/apps-hyperfine"
rm -f "$out"/apps-hyperfine/*.json

# The ways: a name and the prefix that starts a program that way.
g41=${VGR_BENCH_GLIBC241:-}
ways="plain preload"
prefix_plain="env"
prefix_preload="env LD_PRELOAD=$lib"
if [ -n "$g41" ] && [ -x "$g41/ld-linux-x86-64.so.2" ]; then
	ways="$ways glibc-2.41"
	prefix_g41="env $g41/ld-linux-x86-64.so.2 --library-path $g41:/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu"
	g41_note=""
else
	g41_note=${VGR_BENCH_PEERS_SKIPPED:-"glibc 2.41 was not fetched (bench/fetch-peers.sh)"}
fi
prefix() {
	case $1 in
	plain) echo "$prefix_plain" ;;
	preload) echo "$prefix_preload" ;;
	glibc-2.41) echo "$prefix_g41" ;;
	esac
}

# The programs: id|label|calls per run (0: not a loop)|baseline id|command.
# A loop's time per call is (its median - its baseline's median) / calls,
# the baseline being the same program doing everything but the calls.
awk -v n="$sort_n" 'BEGIN { srand(1); for (i = 0; i < n; i++) print int(rand() * 1e9) }' >"$tmp/lines"
py=/usr/bin/python3
# Every python3 program imports the same modules, so that one baseline fits.
pyimports="import sys, os, uuid, secrets, random; r = random.SystemRandom(); n = int(sys.argv[1])"
pyloop() { # id label expression
	echo "$1|python3 $2|$loop|py-base|$py -c '$pyimports; [$3 for _ in range(n)]' $loop"
}
{
	echo "py-base|python3 start, imports (baseline)|0||$py -c '$pyimports; [os.urandom for _ in range(n)]' $loop"
	pyloop py-urandom "os.urandom(16)" "os.urandom(16)"
	pyloop py-uuid4 "uuid.uuid4()" "uuid.uuid4()"
	pyloop py-token "secrets.token_bytes(32)" "secrets.token_bytes(32)"
	pyloop py-sysrandom "random.SystemRandom().random()" "r.random()"
	echo "uuidgen|uuidgen -r (one process per UUID)|0||/usr/bin/uuidgen -r"
	echo "shuf|shuf -i 1-$shuf_n|0||/usr/bin/shuf -i 1-$shuf_n -o /dev/null"
	echo "sort|sort -R ($sort_n lines)|0||/usr/bin/sort -R -o /dev/null $tmp/lines"
	echo "keygen|ssh-keygen -t ed25519|0||/usr/bin/ssh-keygen -q -t ed25519 -N '' -f $tmp/key-WAY"
	echo "bash-base|bash startup (baseline)|0||/bin/bash -c 'for ((i = 0; i < \$1; i++)); do x=\$RANDOM; done' bash 0"
	echo "bash-srandom|bash \$SRANDOM|$bash_n|bash-base|/bin/bash -c 'for ((i = 0; i < \$1; i++)); do x=\$SRANDOM; done' bash $bash_n"
	echo "openssl|openssl rand -hex 32|0||/usr/bin/openssl rand -out /dev/null -hex 32"
} >"$tmp/programs"
# uuidgen from util-linux 2.39 on prints many in one process.
if /usr/bin/uuidgen --help 2>/dev/null | grep -q -- --count; then
	echo "uuidgen-many|uuidgen -r --count $loop (one process)|$loop||/usr/bin/uuidgen -r --count $loop" >>"$tmp/programs"
fi

# One local sshd per way (sshd -r: no re-exec, so the serving process stays
# in its way; under glibc 2.41's loader a re-exec would leave it), logged
# into with a key over 127.0.0.1 by a client started the same way.
ssh_note=""
if [ -x /usr/sbin/sshd ] && [ -x /usr/bin/ssh ] && [ "$(id -u)" = 0 ]; then
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/host" && ssh-keygen -q -t ed25519 -N '' -f "$tmp/user" &&
		cp "$tmp/user.pub" "$tmp/authorized_keys"
	port=$((40000 + $$ % 10000))
	for w in $ways; do
		cat >"$tmp/sshd-$w.conf" <<-EOF
			Port $port
			ListenAddress 127.0.0.1
			HostKey $tmp/host
			PidFile $tmp/sshd-$w.pid
			AuthorizedKeysFile $tmp/authorized_keys
			StrictModes no
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			UsePAM no
			PermitRootLogin prohibit-password
			Subsystem sftp internal-sftp
		EOF
		# shellcheck disable=SC2046
		$(prefix "$w") /usr/sbin/sshd -D -r -f "$tmp/sshd-$w.conf" 2>"$tmp/sshd-$w.log" &
		sshd_pids="$sshd_pids $!"
		echo $port >"$tmp/port-$w"
		port=$((port + 1))
	done
	ssh_opts="-F none -i $tmp/user -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
	# The session is sshd's in-process sftp server, which ends at once
	# (ssh -n: no input): a login that runs no shell, whose start-up files
	# would otherwise weigh more than the login.
	echo "ssh|ssh login, key auth, 127.0.0.1|0||/usr/bin/ssh -n -s $ssh_opts -p PORT root@127.0.0.1 sftp" >>"$tmp/programs"
	for w in $ways; do
		p=$(cat "$tmp/port-$w")
		i=0
		# shellcheck disable=SC2086
		until /usr/bin/ssh -n -s $ssh_opts -p "$p" root@127.0.0.1 sftp 2>/dev/null; do
			i=$((i + 1))
			if [ $i = 50 ]; then
				echo "apps: sshd ($w) did not answer: $(tail -2 "$tmp/sshd-$w.log")" >&2
				ssh_note="sshd ($w) did not start"
				break
			fi
			sleep 0.1
		done
	done
else
	ssh_note="needs root and openssh-server"
fi

# The command line of program $1's command $2 run way $3.
cmdline() {
	c=$(echo "$2" | sed "s|WAY|$3|g")
	case $1 in
	ssh)
		c=$(echo "$c" | sed "s|PORT|$(cat "$tmp/port-$3")|")
		;;
	esac
	echo "$(prefix "$3") $c"
}

# The ways, rotated left $1 times: each round starts with another way.
rotated() {
	# shellcheck disable=SC2086
	set -- $1 $ways
	k=$(($1 % ($# - 1)))
	shift
	while [ "$k" -gt 0 ]; do
		first=$1
		shift
		set -- "$@" "$first"
		k=$((k - 1))
	done
	echo "$@"
}
echo "== applications: $rounds round(s) of $runs runs per program and way, ways interleaved ($ways)"
start=$(date +%s)
r=1
while [ $r -le "$rounds" ]; do
	while IFS="|" read -r id _ _ _ cmd; do
		[ "$id" = ssh ] && [ -n "$ssh_note" ] && continue
		hf_args=""
		for w in $(rotated $((r - 1))); do
			hf_args="$hf_args|-n|$w|$(cmdline "$id" "$cmd" "$w")"
		done
		prep="rm -f $tmp/key-plain $tmp/key-plain.pub $tmp/key-preload $tmp/key-preload.pub $tmp/key-glibc-2.41 $tmp/key-glibc-2.41.pub"
		w0=$warmup
		[ $r -gt 1 ] && w0=0
		(
			IFS='|'
			# shellcheck disable=SC2086
			set -- $hf_args
			shift
			hyperfine -N --style none --warmup "$w0" --runs "$runs" --prepare "$prep" \
				--export-json "$out/apps-hyperfine/$id-round$r.json" "$@" >/dev/null 2>"$tmp/hf.err"
		) || { echo "apps: hyperfine failed on $id: $(tail -3 "$tmp/hf.err")" >&2; }
	done <"$tmp/programs"
	echo "   round $r done ($(($(date +%s) - start)) s)" >&2
	r=$((r + 1))
done

# One run of each, under strace: its getrandom system calls (all processes).
: >"$tmp/counts"
if command -v strace >/dev/null; then
	while IFS="|" read -r id _ _ _ cmd; do
		[ "$id" = ssh ] && [ -n "$ssh_note" ] && continue
		for w in $ways; do
			rm -f "$tmp"/key-*
			n=""
			if [ "$id" = ssh ]; then
				# The server side: a fourth sshd, of this way, under
				# strace for one login; plus the client.
				cp "$tmp/sshd-$w.conf" "$tmp/sshd-count.conf"
				sed -i "s|^Port .*|Port $((port + 10))|; s|^PidFile .*|PidFile $tmp/count.pid|" "$tmp/sshd-count.conf"
				# shellcheck disable=SC2046
				strace -f -qq --seccomp-bpf -c -e trace=getrandom -o "$tmp/st-server" \
					$(prefix "$w") /usr/sbin/sshd -D -r -f "$tmp/sshd-count.conf" 2>/dev/null &
				spid=$!
				i=0
				until [ -s "$tmp/count.pid" ] || [ $i = 50 ]; do sleep 0.1; i=$((i + 1)); done
				sleep 0.2
				# shellcheck disable=SC2046
				strace -f -qq --seccomp-bpf -c -e trace=getrandom -o "$tmp/st-client" \
					$(prefix "$w") /usr/bin/ssh -n -s $ssh_opts -p $((port + 10)) root@127.0.0.1 sftp 2>/dev/null || :
				kill "$(cat "$tmp/count.pid" 2>/dev/null)" 2>/dev/null || :
				wait $spid 2>/dev/null || :
				rm -f "$tmp/count.pid"
				a=$(awk '$NF == "getrandom" { print $4 }' "$tmp/st-server")
				b=$(awk '$NF == "getrandom" { print $4 }' "$tmp/st-client")
				n=$(( ${a:-0} + ${b:-0} ))
			else
				# shellcheck disable=SC2046
				eval strace -f -qq --seccomp-bpf -c -e trace=getrandom -o "$tmp/st" \
					"$(cmdline "$id" "$cmd" "$w")" >/dev/null 2>&1 || :
				n=$(awk '$NF == "getrandom" { print $4 }' "$tmp/st")
				n=${n:-0}
			fi
			echo "$id $w $n" >>"$tmp/counts"
		done
	done <"$tmp/programs"
fi

/usr/bin/python3 - "$tmp/programs" "$tmp/counts" "$out" "$ways" "$g41_note" "$ssh_note" "$quick" <<'PY'
import csv, glob, json, os, statistics, sys, time
progs_path, counts_path, out, ways, g41_note, ssh_note, quick = sys.argv[1:]
ways = ways.split()
all_ways = ["plain", "preload", "glibc-2.41"]
progs = [l.rstrip("\n").split("|", 4) for l in open(progs_path) if l.strip()]
counts = {}
for l in open(counts_path):
    i, w, n = l.split()
    counts[(i, w)] = int(n)
times = {}
for f in glob.glob(os.path.join(out, "apps-hyperfine", "*.json")):
    pid = os.path.basename(f).rsplit("-round", 1)[0]
    for r in json.load(open(f))["results"]:
        times.setdefault((pid, r["command"]), []).extend(r["times"])
med = {k: statistics.median(v) for k, v in times.items()}
rows = []
for pid, label, calls, base, cmd in progs:
    calls = int(calls)
    for w in all_ways:
        t = times.get((pid, w))
        row = {"program": label, "id": pid, "way": w}
        if w not in ways:
            row["note"] = g41_note
        elif pid == "ssh" and ssh_note:
            row["note"] = ssh_note
        elif not t:
            row["note"] = "did not run this way here"
        if t:
            m = med[(pid, w)]
            row.update(runs=len(t), median_s=m, min_s=min(t), max_s=max(t))
            if (pid, "plain") in med:
                row["ratio_to_plain"] = m / med[(pid, "plain")]
            if (pid, "glibc-2.41") in med:
                row["ratio_to_glibc241"] = m / med[(pid, "glibc-2.41")]
            if calls and (base, w) in med:
                row["ns_per_call"] = (m - med[(base, w)]) / calls * 1e9
        if (pid, w) in counts:
            row["getrandom_syscalls"] = counts[(pid, w)]
        rows.append(row)
fields = ["program", "id", "way", "runs", "median_s", "min_s", "max_s", "ratio_to_plain",
          "ratio_to_glibc241", "ns_per_call", "getrandom_syscalls", "note"]
with open(os.path.join(out, "apps.csv"), "w", newline="") as f:
    wr = csv.DictWriter(f, fieldnames=fields)
    wr.writeheader()
    for r in rows:
        wr.writerow(r)
meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "kernel": os.uname().release,
        "quick": quick == "1", "ways": ways}
json.dump({"meta": meta, "rows": rows}, open(os.path.join(out, "apps.json"), "w"), indent=1)

def ms(r):
    if "median_s" not in r:
        return r.get("note") or "-"
    return "%.1f (%.1f-%.1f)" % (r["median_s"] * 1e3, r["min_s"] * 1e3, r["max_s"] * 1e3)
def x(r, k):
    return "%.2fx" % r[k] if k in r else "-"
print("applications: ms per run, median of all runs (min-max); ratios of medians; "
      "getrandom system calls of one run (strace -f)")
print("%-40s %-11s %-26s %8s %10s %10s %9s" % ("program", "way", "ms per run", "/ plain",
                                                "/ 2.41", "ns/call", "syscalls"))
for r in rows:
    print("%-40s %-11s %-26s %8s %10s %10s %9s" % (
        r["program"][:40], r["way"], ms(r)[:26], x(r, "ratio_to_plain"), x(r, "ratio_to_glibc241"),
        "%.0f" % r["ns_per_call"] if "ns_per_call" in r else "-",
        r.get("getrandom_syscalls", "-")))
# The plot's data: per program, each way's median over plain's.
with open(os.path.join(out, "apps.dat"), "w") as f:
    f.write("program plain preload glibc-2.41\n")
    for pid, label, *_ in progs:
        if (pid, "plain") not in med:
            continue
        vals = ["%.4f" % (med[(pid, w)] / med[(pid, "plain")]) if (pid, w) in med else "NaN"
                for w in all_ways]
        f.write('"%s" %s\n' % (label.replace('"', "'"), " ".join(vals)))
PY

if command -v gnuplot >/dev/null; then
	gnuplot -e "datafile='$out/apps.dat'; outfile='$out/apps.png'" bench/apps.gp &&
		echo "plot: $out/apps.png"
fi
echo "applications stage: $(($(date +%s) - start)) s; $out/apps.csv, $out/apps.json"
