#!/bin/sh
# Build libvgetrandom optimised and run the benchmark: every random-byte
# source on this machine against the getrandom system call, 1 B to 1 MiB,
# threads and thread churn, then the ChaCha20 kernels against OpenSSL and
# libsodium.  Writes bench-results/ (CSV, JSON, PNG).  Pass --quick for a
# run of under 30 seconds.  Installs missing Debian/Ubuntu packages when
# run as root (otherwise prints the apt-get line).
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh
ensure_deps meson ninja-build gcc pkg-config libsodium-dev libssl-dev libbsd-dev \
	liburing-dev gnuplot-nox systemtap-sdt-dev

builddir=${BUILDDIR:-build-release}
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" --buildtype=release \
		-Dtests=disabled -Dexamples=disabled -Dbench=enabled
fi
meson compile -C "$builddir"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'): sh bench/run.sh $*"
"$builddir/bench/vgetrandom-bench" "$@"
echo
if [ "${1:-}" = --quick ]; then
	exit 0
fi
"$builddir/bench/bench-chacha"
