#!/bin/sh
# The system-wide test: a Debian 12 userland with libvgetrandom listed in
# its /etc/ld.so.preload.  Builds the root with mmdebstrap (cached in
# BUILDDIR/system-root), installs the library into it (the Debian
# packages of tests/deb/deb.sh, else `meson install --destdir`), and
# inside it (a private mount namespace and chroot) runs tests/system/battery.sh without and with the preload, with
# /proc mounted and without, then once more under strace to count the
# getrandom system calls; then tests what ld.so does with a missing or
# unreadable preload entry, and `vgetrandom system` (system_command.sh).
# Every battery program must give the same exit status and check verdict
# with and without the preload; with /proc and the preload, all must pass.
#
# usage: system.sh BUILDDIR RESULTS_FILE   (as root; exit 77 = skipped)
# Appends meson-style result lines to RESULTS_FILE; writes the table of
# programs and system calls to BUILDDIR/system-wide.md.
set -u
build=$(cd "$1" && pwd)
results=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
root=$build/system-root
table=$build/system-wide.md
suite=bookworm
packages="python3,libpython3.11-testsuite,openssl,openssh-client,gnupg,uuid-runtime,git,perl,strace,procps,libcmocka0,libsodium23,passwd,login"
rc=0

record_stage=system
. "$src/tests/record.sh"
skip() { record userland SKIP "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "(needs root: mmdebstrap, chroot and mount)"
command -v mmdebstrap >/dev/null || skip "(mmdebstrap is not installed)"
command -v unshare >/dev/null || skip "(unshare is not installed)"

. "$src/tests/debian-mirror.sh"
mirror=$(debian_mirror)
mirror_reachable "$mirror" $suite || skip "(the mirror $mirror is not reachable)"

# --- the root: built once per package list ---
if ! cached_root "$root" $suite "$mirror" "$packages" "$build/system-mmdebstrap.log"; then
	tail -20 "$build/system-mmdebstrap.log"
	record userland-root FAIL "(mmdebstrap failed: $build/system-mmdebstrap.log)"
	exit 1
fi
[ -n "$root_seconds" ] && echo "system: built the $suite root in $root_seconds s"
# An operator installs the Debian packages (tests/deb/deb.sh build made
# them in BUILDDIR/debs/first), with apt-get; without them (VGR_SKIP_DEB=1,
# or where they cannot be built) it is meson install.  --reinstall: the
# cached root may hold the same version from an earlier run.
debs=$build/debs/first
if ls "$debs"/libvgetrandom0_*.deb >/dev/null 2>&1; then
	# What an earlier run's meson install left in the cached root would
	# come first in PATH and in the library path.
	rm -rf "$root"/usr/local/bin/vgetrandom "$root"/usr/local/bin/vgetrandom.bt \
		"$root"/usr/local/lib/*/libvgetrandom* "$root"/usr/local/lib/*/vgetrandom \
		"$root"/usr/local/lib/*/pkgconfig/vgetrandom.pc "$root"/usr/local/include/vgetrandom.h
	rm -rf "$root/tmp/debs" && mkdir -p "$root/tmp/debs" && cp "$debs"/*.deb "$root/tmp/debs/"
	if chroot "$root" sh -e -c 'cd /tmp/debs
		apt-get install -y -q --reinstall ./libvgetrandom0_*.deb ./vgetrandom_*.deb \
			./libvgetrandom-dev_*.deb >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 1; }
		dpkg-query -W libvgetrandom0 vgetrandom libvgetrandom-dev' >"$build/system-install.log" 2>&1; then
		record install-into-root OK "(the packages: $(awk '{printf "%s %s; ", $1, $2}' "$build/system-install.log"))"
	else
		tail -20 "$build/system-install.log"
		record install-into-root FAIL "(the packages)"
		exit 1
	fi
	rm -rf "$root/tmp/debs"
else
	# A user installs it so:
	if ! meson install -C "$build" --no-rebuild --quiet --destdir "$root" >"$build/system-install.log" 2>&1; then
		tail -20 "$build/system-install.log"
		record install-into-root FAIL
		exit 1
	fi
	record install-into-root OK "(meson install)"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" sh -e -c '
	ldconfig
	rm -f /etc/ld.so.preload
	id alice >/dev/null 2>&1 || { useradd -m alice; useradd -m bob; groupadd battery; usermod -aG battery alice; }
	echo alice:alice-pw | chpasswd; echo bob:bob-pw | chpasswd
	chfn -r "" alice'

# The project's own test programs (ELF files of the build, quick suites).
meson introspect --tests "$build" | python3 -c '
import json, sys
build, out = sys.argv[1:]
keep = {"chacha", "backend", "vdso-lookup", "threads", "fork", "signals",
        "generator", "faults", "contract", "dropin", "examples"}
with open(out, "w") as f:
    for t in json.load(sys.stdin):
        suites = {s.split(":")[-1] for s in t["suite"]}
        if not suites & keep or not t["cmd"][0].startswith(build + "/"):
            continue
        env = ["VGR_IN_ROOT=1"] + [f"{k}={v}" for k, v in t["env"].items()
                                   if k in ("VGETRANDOM_BACKEND", "LD_LIBRARY_PATH")]
        f.write(t["name"] + "\t" + " ".join(env) + "\t" + " ".join(t["cmd"]) + "\n")
' "$build" "$build/system-tests.list"

# --- inside the root ---
out=$build/system-out
rm -rf "$out"
mkdir -p "$out"
inside() { # SCRIPT ARGS...: a script of tests/system run by bash in the root
	unshare --mount --propagation private --fork sh -e -c '
		root=$1 src=$2 build=$3 out=$4
		mount --rbind /dev "$root/dev"
		for d in "$src" "$build" "$out"; do mkdir -p "$root$d"; mount --bind "$d" "$root$d"; done
		shift 4
		exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash "$@"
	' inside "$root" "$src" "$build" "$out" "$src/tests/system/$@"
}
t0=$(date +%s)
inside passes.sh "$src" "$build" "$out" >"$out/passes.log" 2>&1 ||
	{ tail -30 "$out/passes.log"; record battery-passes FAIL "(see $out/passes.log)"; }
echo "system: the battery's six passes took $(($(date +%s) - t0)) s"
t0=$(date +%s)
inside preload_entries.sh "$out" >"$out/entries.log" 2>&1
inside system_command.sh "$out" "$build" >"$out/command.log" 2>&1
echo "system: preload entries and the command took $(($(date +%s) - t0)) s"

# --- verdicts and the table ---
python3 - "$out" "$results" "$table" <<'PY' || rc=1
import json, os, sys
out, results, table = sys.argv[1:]

def load(label):
    rows = {}
    try:
        for line in open(os.path.join(out, label + ".tsv")):
            name, code, check, calls, secs = line.rstrip("\n").split("\t")
            rows[name] = (code, check, calls, secs)
    except FileNotFoundError:
        pass
    return rows

passes = {l: load(l) for l in ("base-proc", "pre-proc", "base-noproc", "pre-noproc",
                               "base-count", "pre-count")}
names = list(passes["base-proc"])
failed = 0
with open(results, "a") as res:
    def record(name, ok, why=""):
        global failed
        res.write(json.dumps({"name": "system/" + name, "result": "OK" if ok else "FAIL"}) + "\n")
        print(f"{'system/' + name:34} {'OK' if ok else 'FAIL'} {why}")
        failed += not ok
    if not names:
        record("battery", False, "(no results: see passes.log)")
    for n in names:
        why = []
        if n == "setuid-maps":
            ok = (passes["pre-proc"].get(n, ("", "", ""))[1] == "loaded" and
                  passes["base-proc"][n][1] == "not loaded")
            record(n, ok, "(a setuid su run by alice maps the library only with the preload)")
            continue
        for base, pre in (("base-proc", "pre-proc"), ("base-noproc", "pre-noproc")):
            b, p = passes[base].get(n), passes[pre].get(n)
            if b is None or p is None:
                if base == "base-proc" or n in passes[base] or n in passes[pre]:
                    why.append(f"{pre}: missing")
                continue
            if b[:2] != p[:2]:
                why.append(f"{pre}: exit {p[0]} {p[1]!r}, without the preload exit {b[0]} {b[1]!r}")
        p = passes["pre-proc"].get(n)
        if p and p[1] != "pass":
            why.append(f"pre-proc: {p[1]} (exit {p[0]})")
        record(n, not why, "; ".join(why))

with open(table, "w") as t:
    t.write("| program | exit, check (/proc; no /proc) | getrandom syscalls without → with |\n")
    t.write("|---|---|---|\n")
    for n in names:
        if n == "setuid-maps":
            continue
        p = passes["pre-proc"].get(n, ("?", "?", "?"))
        q = passes["pre-noproc"].get(n, ("?", "?", "?"))
        if n in passes["pre-count"]:
            counts = f'{passes["base-count"].get(n, ("", "", "?"))[2]} → {passes["pre-count"][n][2]}'
        else:
            counts = "not counted"
        t.write(f"| {n} | {p[0]} {p[1]}; {q[0]} {q[1]} | {counts} |\n")
print(open(table).read())
sys.exit(1 if failed else 0)
PY

# Results of the two in-root scripts: lines "NAME OK|FAIL detail".
for log in entries command; do
	grep -E '^[a-z0-9-]+ (OK|FAIL)' "$out/$log.log" | while read -r name verdict detail; do
		record "$name" "$verdict" "$detail"
	done
	grep -Eq '^[a-z0-9-]+ (OK|FAIL)' "$out/$log.log" || { record "$log" FAIL "(no results)"; cat "$out/$log.log"; }
	grep -Eq '^[a-z0-9-]+ FAIL' "$out/$log.log" && { rc=1; cat "$out/$log.log"; }
done
exit $rc
