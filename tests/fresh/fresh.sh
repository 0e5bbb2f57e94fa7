#!/bin/sh
# The fresh-machine stage: the `meson dist` tarball built in new Debian 12
# roots (mmdebstrap minbase) that hold one package list of
# tests/build-inputs.sh and nothing else.  A build that reads a header or
# runs a tool no command installs fails here, however much this machine
# has installed by hand:
#   test     the test command's packages, its build options
#   bench    bench/run.sh's packages, its release build
#   minimal  tests, bench and examples enabled with every optional
#            dependency absent (liburing, libcrypto, libsodium, <sys/sdt.h>,
#            a C++ compiler)
# Each root is cached in BUILDDIR/fresh-ROOT, keyed by its package list;
# the builds write only to a directory bound in from outside, so a cached
# root stays as mmdebstrap made it.
#
# usage: fresh.sh BUILDDIR RESULTS_FILE [ROOT...]   (as root; exit 77 =
#        skipped; ROOT: test, bench or minimal, default all three)
set -u
build=$(cd "$1" && pwd)
results=$2
shift 2
only="$*"
src=$(cd "$(dirname "$0")/../.." && pwd)
suite=bookworm
rc=0
. "$src/tests/build-inputs.sh"
. "$src/tests/debian-mirror.sh"

record_stage=fresh
. "$src/tests/record.sh"
skip() { record roots SKIP "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "(needs root: mmdebstrap and chroot)"
command -v mmdebstrap >/dev/null || skip "(mmdebstrap is not installed)"
mirror=$(debian_mirror)
mirror_reachable "$mirror" $suite || skip "(the mirror $mirror is not reachable)"

# The tarball a release is made from (the committed tree).
rm -rf "$build/meson-dist"
if ! meson dist -C "$build" --no-tests --allow-dirty --formats gztar >"$build/fresh-dist.log" 2>&1; then
	tail -20 "$build/fresh-dist.log"
	record dist FAIL "(see $build/fresh-dist.log)"
	exit 1
fi
tarball=$(ls "$build"/meson-dist/*.tar.gz | head -1)

# Downloaded packages are shared by the roots (and seeded from this
# machine's apt cache); apt checks each against the mirror's hashes.
cache=$build/fresh-apt-cache
mkdir -p "$cache"
cp -n /var/cache/apt/archives/*.deb "$cache/" 2>/dev/null

# make_root NAME PACKAGES...: BUILDDIR/fresh-NAME, minbase plus PACKAGES
make_root() {
	name=$1
	shift
	root=$build/fresh-$name
	# shellcheck disable=SC2016
	cached_root "$root" $suite "$mirror" "$(echo "$@" | tr ' ' ',')" \
		"$build/fresh-$name-mmdebstrap.log" \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
		--setup-hook="sync-in $cache /var/cache/apt/archives" \
		--customize-hook="sync-out /var/cache/apt/archives $cache" || return 1
	[ -z "$root_seconds" ] || echo "fresh: built the $name root in $root_seconds s"
}

# build_in NAME MESON-SETUP-OPTIONS...: unpack, configure and compile the
# tarball inside BUILDDIR/fresh-NAME; the log is BUILDDIR/fresh-NAME.log.
build_in() {
	name=$1
	shift
	root=$build/fresh-$name
	work=$build/fresh-$name-work
	rm -rf "$work"
	mkdir -p "$work"
	cp "$tarball" "$work/src.tar.gz"
	t0=$(date +%s)
	unshare --mount --propagation private --fork sh -e -c '
		root=$1 work=$2
		shift 2
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mkdir -p "$root/work"
		mount --bind "$work" "$root/work"
		exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -e -c "
			cd /work && tar -xzf src.tar.gz
			meson setup b libvgetrandom-*/ $*
			meson compile -C b" 
	' fresh "$root" "$work" "$@" >"$build/fresh-$name.log" 2>&1
	status=$?
	secs=$(($(date +%s) - t0))
	if [ $status = 0 ]; then
		record "$name" OK "(built in ${secs} s: $*)"
	else
		grep -E 'error|ERROR|Dependency .* found: NO' "$build/fresh-$name.log" | head -10
		record "$name" FAIL "(see $build/fresh-$name.log)"
	fi
	rm -rf "$work"
}

# The roots are made side by side (mostly waiting on the mirror and dpkg),
# then the builds run one after another.
sets="test:$vgr_test_build_pkgs $vgr_test_tool_pkgs:$vgr_test_setup
bench:$vgr_bench_pkgs:$vgr_bench_setup
minimal:$vgr_minimal_pkgs:$vgr_test_setup"
wanted() { [ -z "$only" ] || case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
pids=""
while IFS= read -r set; do
	name=${set%%:*} rest=${set#*:}
	wanted "$name" || continue
	# shellcheck disable=SC2086
	{ make_root "$name" ${rest%%:*} || : >"$build/fresh-$name.failed"; } &
	pids="$pids $!"
done <<EOF
$sets
EOF
# shellcheck disable=SC2086
wait $pids
while IFS= read -r set; do
	name=${set%%:*} rest=${set#*:}
	wanted "$name" || continue
	if [ -e "$build/fresh-$name.failed" ]; then
		rm -f "$build/fresh-$name.failed"
		tail -20 "$build/fresh-$name-mmdebstrap.log"
		record "$name-root" FAIL "(mmdebstrap failed: $build/fresh-$name-mmdebstrap.log)"
		continue
	fi
	# shellcheck disable=SC2086
	build_in "$name" ${rest#*:}
done <<EOF
$sets
EOF
exit $rc
