#!/bin/sh
# Build libvgetrandom and run its whole test suite.  Installs missing
# Debian/Ubuntu packages when run as root (otherwise prints the apt-get line).
# Ends with a plain "N passed, N failed, N skipped" line; exit status 0 only
# when nothing failed.
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh
ensure_deps meson ninja-build gcc g++ pkg-config python3 libcmocka-dev

builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" --werror --fatal-meson-warnings \
		-Dtests=enabled -Dexamples=enabled -Dbench=enabled
fi
meson compile -C "$builddir"

rc=0
meson test -C "$builddir" --print-errorlogs "$@" || rc=$?

python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
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
