#!/bin/sh
# The Debian packages (debian/), as an operator meets them:
#   build      dpkg-buildpackage -us -uc -b from the committed tree, in an
#              mmdebstrap bookworm root holding build-essential and the
#              Build-Depends of debian/control only; twice, the second
#              time as a later version (for the upgrade);
#   lintian    no error and no warning on the .debs and .buildinfo;
#   symbols    the symbols file came from the version script, and a build
#              whose library lacks a listed symbol fails;
#   install    apt-get install ./*.deb into tests/system's Debian root (an
#              overlay on it: the cached root stays as it was), then
#              pkg-config and a static link against the -dev package;
#   lifecycle  'vgetrandom system enable', an upgrade to the second build,
#              'apt-get purge': /etc/ld.so.preload checked at each step
#              (other entries byte for byte, ours present while installed,
#              gone after the purge) and no ld.so error from any program.
#
# tests/run.sh runs it in two steps around tests/system/system.sh, which
# installs BUILDDIR/debs/first into its root and runs its battery there:
#   deb.sh build BUILDDIR RESULTS_FILE       build, lintian, symbols, -dev
#   deb.sh lifecycle BUILDDIR RESULTS_FILE   install, enable, upgrade, purge
# (as root; exit 77 = skipped).  Appends meson-style result lines to
# RESULTS_FILE; the .debs stay in BUILDDIR/debs.
set -u
step=$1
build=$(cd "$2" && pwd)
results=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
suite=bookworm
rc=0

record_stage=deb
. "$src/tests/record.sh"
skip() { record "$step" SKIP "$1"; exit 77; }

[ "$(id -u)" = 0 ] || skip "(needs root: mmdebstrap, chroot and mount)"
command -v mmdebstrap >/dev/null || skip "(mmdebstrap is not installed)"
command -v lintian >/dev/null || skip "(lintian is not installed)"
command -v git >/dev/null && git -C "$src" rev-parse HEAD >/dev/null 2>&1 ||
	skip "(not a git checkout: the packages are built from the committed tree)"
. "$src/tests/debian-mirror.sh"
mirror=$(debian_mirror)
mirror_reachable "$mirror" $suite || skip "(the mirror $mirror is not reachable)"

build_step() {
# --- the build root: build-essential and debian/control's Build-Depends ---
deps=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$src/debian/control" |
	sed '$d; s/^Build-Depends://; s/([^)]*)//g; s/,/ /g' | tr -s ' \t\n' '\n' |
	sed 's/^debhelper-compat$/debhelper/' | grep . | sort -u | tr '\n' ',')
broot=$build/deb-build-root
if ! cached_root "$broot" $suite "$mirror" "build-essential,$deps" "$build/deb-mmdebstrap.log"; then
	tail -20 "$build/deb-mmdebstrap.log"
	record build-root FAIL "(mmdebstrap failed: $build/deb-mmdebstrap.log)"
	exit 1
fi
[ -n "$root_seconds" ] && echo "deb: built the build root in $root_seconds s ($deps)"

# build_debs NAME [CHANGELOG_VERSION]: dpkg-buildpackage in the build root
# from the committed tree; the .debs land in $build/debs/NAME.
build_debs() {
	name=$1 version=${2:-}
	rm -rf "$broot/build" "$build/debs/$name"
	mkdir -p "$broot/build/src" "$build/debs/$name"
	git -C "$src" archive --format=tar HEAD | tar -x -C "$broot/build/src"
	if [ -n "$version" ]; then
		{
			printf 'libvgetrandom (%s) unstable; urgency=medium\n\n  * A later build, for the upgrade test.\n\n' "$version"
			printf ' -- Test <test@example.invalid>  %s\n\n' "$(date -R)"
			cat "$broot/build/src/debian/changelog"
		} >"$broot/build/changelog" && mv "$broot/build/changelog" "$broot/build/src/debian/changelog"
	fi
	t0=$(date +%s)
	if ! chroot "$broot" sh -c 'cd /build/src && dpkg-buildpackage -us -uc -b' \
		>"$build/debs/$name.log" 2>&1; then
		tail -25 "$build/debs/$name.log"
		return 1
	fi
	mv "$broot"/build/*.deb "$broot"/build/*.buildinfo "$broot"/build/*.changes "$build/debs/$name/"
	echo "deb: built $name ($(ls "$build/debs/$name" | grep -c '\.deb$') packages) in $(($(date +%s) - t0)) s"
}

if build_debs first; then
	record build OK
else
	record build FAIL "(see $build/debs/first.log)"
	exit 1
fi

# --- the -dev package as a user of it builds: pkg-config, a static link ---
# (in the build root, which has a compiler; the packages go again after)
mkdir -p "$broot/debs" && cp "$build"/debs/first/*.deb "$broot/debs/"
cat >"$broot/debs/use.c" <<'EOF'
#include <vgetrandom.h>
#include <stdio.h>
int main(void)
{
	unsigned char b[32];
	if (vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return 1;
	printf("%s\n", vgetrandom_backend());
	return 0;
}
EOF
if chroot "$broot" sh -e -c '
	dpkg -i /debs/libvgetrandom0_*.deb /debs/libvgetrandom-dev_*.deb >/dev/null
	flags=$(echo $(pkg-config --cflags --libs vgetrandom))
	echo "pkg-config: $flags"
	[ "$flags" = "-lvgetrandom" ]
	cc -o /debs/use-shared /debs/use.c $flags && /debs/use-shared
	cc -static -o /debs/use-static /debs/use.c $(pkg-config --static --cflags --libs vgetrandom)
	/debs/use-static
	! ldd /debs/use-static >/dev/null 2>&1
' >"$build/debs/dev.log" 2>&1; then
	record dev-package OK "($(sed -n 's/^pkg-config: //p' "$build/debs/dev.log"); static: $(tail -1 "$build/debs/dev.log"))"
else
	cat "$build/debs/dev.log"
	record dev-package FAIL
fi
chroot "$broot" dpkg --purge libvgetrandom-dev libvgetrandom0 >/dev/null 2>&1
rm -rf "$broot/debs"

# --- lintian: no error, no warning (overrides carry their reasons) ---
if lintian --fail-on error,warning --tag-display-limit 0 \
	"$build"/debs/first/*.deb >"$build/debs/lintian.log" 2>&1; then
	record lintian OK "($(grep -c . "$build/debs/lintian.log") lines of info/pedantic)"
else
	cat "$build/debs/lintian.log"
	record lintian FAIL
fi

# --- the symbols file: made from the map, and enforced ---
grep -q '^ vgetrandom_reseed@VGETRANDOM_0.1 ' "$broot/build/src/debian/libvgetrandom0.symbols" 2>/dev/null &&
	dpkg-deb -I "$build"/debs/first/libvgetrandom0_*.deb symbols | grep -q '^ getrandom@GLIBC_2.25 ' &&
	record symbols-file OK || record symbols-file FAIL "(no symbols file from the map in the package)"
# A library without one of the map's names must fail dpkg-gensymbols: the
# map gains a name the code lacks (GNU ld ignores it; the symbols file,
# made from the map, lists it).
rm -rf "$broot/build" && mkdir -p "$broot/build/src"
git -C "$src" archive --format=tar HEAD | tar -x -C "$broot/build/src"
sed -i 's/^\tvgetrandom_reseed;/\tvgetrandom_reseed;\n\tvgetrandom_removed_symbol;/' "$broot/build/src/lib/libvgetrandom.map"
if chroot "$broot" sh -c 'cd /build/src && dpkg-buildpackage -us -uc -b' >"$build/debs/missing-symbol.log" 2>&1; then
	record symbols-enforced FAIL "(a build whose library lacks a listed symbol passed)"
elif grep -q 'vgetrandom_removed_symbol' "$build/debs/missing-symbol.log"; then
	record symbols-enforced OK
else
	tail -10 "$build/debs/missing-symbol.log"
	record symbols-enforced FAIL "(the build failed, but not on the symbol)"
fi

if build_debs second "$(sed -n '1s/^libvgetrandom (\([^)]*\)).*/\1/p' "$src/debian/changelog")+upgrade1"; then
	record build-upgrade OK
else
	record build-upgrade FAIL "(see $build/debs/second.log)"
	exit 1
fi

}

# --- install, upgrade and purge in an overlay on tests/system's root ---
lifecycle() {
sroot=$build/system-root
if [ ! -f "$sroot.stamp" ]; then
	record lifecycle SKIP "(no tests/system root: run tests/system/system.sh first)"
	exit $rc
fi
cp "$src/tests/deb/lifecycle.sh" "$build/debs/lifecycle.sh"
work=$build/deb-overlay
rm -rf "$work" && mkdir -p "$work/upper" "$work/work" "$work/merged"
unshare --mount --propagation private --fork sh -c '
	sroot=$1 work=$2 debs=$3 out=$4
	mount -t overlay overlay -o "lowerdir=$sroot,upperdir=$work/upper,workdir=$work/work" "$work/merged" || exit 2
	mount --rbind /dev "$work/merged/dev"
	mount -t proc proc "$work/merged/proc"
	mkdir -p "$work/merged/debs"
	mount --bind "$debs" "$work/merged/debs"
	cp /etc/resolv.conf "$work/merged/etc/resolv.conf"
	exec chroot "$work/merged" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh /debs/lifecycle.sh /debs
' lifecycle "$sroot" "$work" "$build/debs" >"$build/debs/lifecycle.log" 2>&1
st=$?
sed -n 's/^RESULT //p' "$build/debs/lifecycle.log" | while read -r name verdict detail; do
	record "$name" "$verdict" "$detail"
done
grep -q '^RESULT .* FAIL' "$build/debs/lifecycle.log" && rc=1
if [ $st != 0 ] || ! grep -q '^RESULT ' "$build/debs/lifecycle.log"; then
	tail -30 "$build/debs/lifecycle.log"
	record lifecycle FAIL "(exit $st; see $build/debs/lifecycle.log)"
fi
rm -rf "$work"
}

case $step in
build) build_step ;;
lifecycle) lifecycle ;;
*) echo "usage: deb.sh build|lifecycle BUILDDIR RESULTS_FILE" >&2; exit 2 ;;
esac
exit $rc
