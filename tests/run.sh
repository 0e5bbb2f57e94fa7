#!/bin/sh
# Build libvgetrandom and run its whole test suite: the native build, on
# x86-64 hosts also an AArch64 cross build whose tests run under qemu-user
# (so the NEON kernel is tested for real; VGR_SKIP_CROSS=1 skips it), then
# the harness of tests/harness.sh: ASan+UBSan, TSan, valgrind, libFuzzer,
# musl, rngtest and dieharder (VGR_SKIP_HARNESS=1 skips it).
# Installs missing Debian/Ubuntu packages when run as root (otherwise prints
# the apt-get line).  Ends with a plain "N passed, N failed, N skipped" line;
# exit status 0 only when nothing failed.
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh

pkgs="meson ninja-build gcc g++ pkg-config python3 libcmocka-dev libsodium-dev strace uuid-runtime openssh-client"
harness=0
if [ "${VGR_SKIP_HARNESS:-0}" != 1 ]; then
	harness=1
	pkgs="$pkgs valgrind clang libclang-rt-14-dev musl-tools rng-tools5 dieharder"
fi
cross=0
if [ "$(uname -m)" = x86_64 ] && [ "${VGR_SKIP_CROSS:-0}" != 1 ]; then
	cross=1
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static"
fi
ensure_deps $pkgs

builddir=${BUILDDIR:-build}
logs=""
rc=0

if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" --werror --fatal-meson-warnings \
		-Dtests=enabled -Dexamples=enabled -Dbench=enabled
fi
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@" || rc=$?
logs="$builddir/meson-logs/testlog.json"

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
