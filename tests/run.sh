#!/bin/sh
# Build libvgetrandom and run its whole test suite: the native build, on
# x86-64 hosts also an AArch64 cross build whose tests run under qemu-user
# (so the NEON kernel is tested for real; VGR_SKIP_CROSS=1 skips it), the
# guest profile on the real kernels of arm64, s390x, riscv64, ppc64le and
# loong64 under qemu-system (tests/guest/guests.sh; VGR_SKIP_GUESTS=1 skips it),
# the fresh-machine stage of tests/fresh/fresh.sh (the dist tarball built in
# new Debian 12 roots holding exactly the packages each command installs;
# as root with the Debian mirror reachable, else skipped with the reason;
# VGR_SKIP_FRESH=1 skips it), the system-wide test of tests/system/system.sh
# (a Debian 12 userland with the library in /etc/ld.so.preload, installed
# from the Debian packages; as root with the Debian mirror reachable, else
# skipped with the reason; VGR_SKIP_SYSTEM=1 skips it), around it the
# Debian packages of tests/deb/deb.sh (built in a clean root, lintian,
# symbols, -dev, then install, enable, upgrade and purge; VGR_SKIP_DEB=1
# skips it),
# then the harness of tests/harness.sh: ASan+UBSan, TSan, valgrind,
# libFuzzer, musl, rngtest and dieharder (VGR_SKIP_HARNESS=1 skips it).
# Installs missing Debian/Ubuntu packages when run as root (otherwise prints
# the apt-get line).  Ends with a plain "N passed, N failed, N skipped" line;
# exit status 0 only when nothing failed.
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh
. tests/build-inputs.sh

pkgs="$vgr_test_build_pkgs $vgr_test_tool_pkgs"
harness=0
if [ "${VGR_SKIP_HARNESS:-0}" != 1 ]; then
	harness=1
	pkgs="$pkgs valgrind clang libclang-rt-14-dev musl-tools rng-tools5 dieharder dpkg-dev"
fi
cross=0
if [ "$(uname -m)" = x86_64 ] && [ "${VGR_SKIP_CROSS:-0}" != 1 ]; then
	cross=1
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static"
fi
guests=0
if [ "$(uname -m)" = x86_64 ] && [ "${VGR_SKIP_GUESTS:-0}" != 1 ]; then
	guests=1
	pkgs="$pkgs gcc-aarch64-linux-gnu gcc-s390x-linux-gnu gcc-powerpc64le-linux-gnu
		gcc-riscv64-linux-gnu qemu-system-arm qemu-system-misc qemu-system-ppc qemu-system-x86 cpio
		clang-19 lld-19 llvm-19 zstd"
fi
fresh=0
if [ "${VGR_SKIP_FRESH:-0}" != 1 ]; then
	fresh=1
	[ "$(id -u)" = 0 ] && pkgs="$pkgs mmdebstrap"
fi
deb=0
if [ "${VGR_SKIP_DEB:-0}" != 1 ]; then
	deb=1
	[ "$(id -u)" = 0 ] && pkgs="$pkgs mmdebstrap lintian git"
fi
system=0
if [ "${VGR_SKIP_SYSTEM:-0}" != 1 ]; then
	system=1
	[ "$(id -u)" = 0 ] && pkgs="$pkgs mmdebstrap"
fi
# shellcheck disable=SC2086
ensure_deps $pkgs

builddir=${BUILDDIR:-build}
logs=""
rc=0

if [ ! -f "$builddir/build.ninja" ]; then
	# shellcheck disable=SC2086
	meson setup "$builddir" $vgr_test_setup
fi
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@" || rc=$?
logs="$builddir/meson-logs/testlog.json"

if [ $fresh = 1 ]; then
	: >"$builddir/fresh-results.jsonl"
	# (set -e: a failing stage is counted, and the rest still runs.)
	st=0
	sh tests/fresh/fresh.sh "$builddir" "$builddir/fresh-results.jsonl" || st=$?
	case $st in 0|77) ;; *) rc=1 ;; esac
	logs="$logs $builddir/fresh-results.jsonl"
fi

if [ $deb = 1 ]; then
	# The packages, built before the system stage installs them.
	: >"$builddir/deb-results.jsonl"
	st=0
	sh tests/deb/deb.sh build "$builddir" "$builddir/deb-results.jsonl" || st=$?
	case $st in 0|77) ;; *) rc=1 ;; esac
	logs="$logs $builddir/deb-results.jsonl"
else
	rm -rf "$builddir/debs" # the system stage then uses meson install
fi

if [ $system = 1 ]; then
	: >"$builddir/system-results.jsonl"
	st=0
	sh tests/system/system.sh "$builddir" "$builddir/system-results.jsonl" || st=$?
	case $st in 0|77) ;; *) rc=1 ;; esac
	logs="$logs $builddir/system-results.jsonl"
fi

if [ $deb = 1 ] && [ -d "$builddir/debs/second" ]; then
	# Install, enable, upgrade, purge, in an overlay on the system root.
	st=0
	sh tests/deb/deb.sh lifecycle "$builddir" "$builddir/deb-results.jsonl" || st=$?
	case $st in 0|77) ;; *) rc=1 ;; esac
fi

if [ $cross = 1 ]; then
	xdir="$builddir-aarch64"
	if [ ! -f "$xdir/build.ninja" ]; then
		meson setup "$xdir" --cross-file tests/cross/aarch64-linux-gnu.ini \
			--werror -Dtests=auto -Dexamples=disabled -Dbench=disabled
	fi
	meson compile -C "$xdir"
	meson test -C "$xdir" --print-errorlogs || rc=$?
	logs="$logs $xdir/meson-logs/testlog.json"
fi

if [ $guests = 1 ]; then
	# Two guests at a time, one per core.
	gdir="$builddir-guests"
	mkdir -p "$gdir"
	: >"$gdir/results-1.jsonl"
	: >"$gdir/results-2.jsonl"
	sh tests/guest/guests.sh "$PWD" "$gdir" "$gdir/results-1.jsonl" arm64 riscv64 loong64 amd64-bullseye &
	g1=$!
	sh tests/guest/guests.sh "$PWD" "$gdir" "$gdir/results-2.jsonl" s390x ppc64el amd64-bookworm &
	g2=$!
	wait $g1 || rc=1
	wait $g2 || rc=1
	echo "== real kernels under qemu-system"
	cat "$gdir/results-1.jsonl.summary" "$gdir/results-2.jsonl.summary"
	# A guest that cannot be fetched or booted is skipped, not passed.
	: >"$gdir/skip-check.jsonl"
	sh tests/guest/skip-check.sh "$PWD" "$gdir" "$gdir/skip-check.jsonl" || rc=1
	logs="$logs $gdir/results-1.jsonl $gdir/results-2.jsonl $gdir/skip-check.jsonl"
fi

if [ $harness = 1 ]; then
	: >"$builddir/harness-results.jsonl"
	sh tests/harness.sh "$builddir" "$builddir/harness-results.jsonl" || rc=1
	logs="$logs $builddir/harness-results.jsonl"
fi

python3 - $logs <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
