#!/bin/sh
# Build libvgetrandom optimised and run the benchmark against the getrandom
# system call.  Installs missing Debian/Ubuntu packages when run as root
# (otherwise prints the apt-get line).
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh
ensure_deps meson ninja-build gcc pkg-config libsodium-dev libssl-dev libbsd-dev

builddir=${BUILDDIR:-build-release}
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" --buildtype=release \
		-Dtests=disabled -Dexamples=disabled -Dbench=enabled
fi
meson compile -C "$builddir"
"$builddir/bench/bench-thin" "$@"
"$builddir/bench/bench-chacha"
