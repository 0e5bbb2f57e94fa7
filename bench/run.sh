#!/bin/sh
# Build libvgetrandom optimised and run the benchmark: every random-byte
# source on this machine against the getrandom system call, 1 B to 1 MiB,
# threads and thread churn, what a process pays for the library at start
# (bench/process_start.c), then the ChaCha20 kernels against OpenSSL and
# libsodium.  glibc 2.41 and Go 1.24 are fetched (bench/fetch-peers.sh,
# cached in the build directory) and measured in the same rounds.  Writes
# bench-results/ (CSV, JSON, PNG).  Then the applications stage
# (bench/apps.sh): real programs (python3, uuidgen, shuf, sort -R,
# ssh-keygen, an ssh login, bash, openssl) plain, preloaded and under glibc
# 2.41.  Pass --quick for a run of under 30 seconds (without the
# applications), --apps [--quick] for the applications stage alone.
# Installs missing Debian/Ubuntu packages when run as root (otherwise
# prints the apt-get line).
set -eu
cd "$(dirname "$0")/.."
. tests/ensure-deps.sh
. tests/build-inputs.sh
apps=1
apps_only=0
case "${1:-}" in
--apps) apps_only=1; shift ;;
--quick) apps=0 ;;
esac
pkgs=$vgr_bench_pkgs
[ $apps = 1 ] && pkgs="$pkgs $vgr_bench_apps_pkgs"
# shellcheck disable=SC2086
ensure_deps $pkgs

builddir=${BUILDDIR:-build-release}
if [ ! -f "$builddir/build.ninja" ]; then
	# shellcheck disable=SC2086
	meson setup "$builddir" $vgr_bench_setup
fi
meson compile -C "$builddir"
# The peers: glibc 2.41 and Go 1.24 (bench/fetch-peers.sh; cached).
if sh bench/fetch-peers.sh "$builddir/peers" >"$builddir/peers.log" 2>&1; then
	export VGR_BENCH_GLIBC241="$(sed -n 's/^VGR_BENCH_GLIBC241=//p' "$builddir/peers.log")"
	export VGR_BENCH_GO="$(sed -n 's/^VGR_BENCH_GO=//p' "$builddir/peers.log")"
else
	export VGR_BENCH_PEERS_SKIPPED="$(tail -1 "$builddir/peers.log")"
	echo "peers: $VGR_BENCH_PEERS_SKIPPED"
fi
if [ $apps_only = 1 ]; then
	echo "== $(date -u '+%Y-%m-%d %H:%M UTC'): sh bench/run.sh --apps $*"
	exec sh bench/apps.sh "$builddir" "$@"
fi
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'): sh bench/run.sh $*"
"$builddir/bench/vgetrandom-bench" "$@"
echo
if [ "${1:-}" = --quick ]; then
	"$builddir/bench/bench-start" --quick
	exit 0
fi
"$builddir/bench/bench-start"
echo
"$builddir/bench/bench-chacha"
echo
sh bench/apps.sh "$builddir"
