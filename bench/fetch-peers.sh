#!/bin/sh
# Fetch the peers bench/ compares against, into DIR (a cache: done once):
# Debian trixie's libc6 (glibc 2.41, whose getrandom uses the vDSO) and
# golang-1.24 (whose crypto/rand does), unpacked with dpkg -x through a
# private apt configuration that never touches the system's, and
# bench/go/randbench.go built with that Go.  On success prints the two
# paths as shell assignments; on failure the last line says why.
# usage: fetch-peers.sh DIR
set -eu
dir=$1
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
glibc=$dir/glibc/usr/lib/x86_64-linux-gnu
goroot=$dir/go/usr/lib/go-1.24
prog=$dir/randbench

say() { echo "$*"; }
[ "$(uname -m)" = x86_64 ] || { say "skipped: the peers are fetched for x86_64 only"; exit 1; }
for t in apt-get dpkg; do
	command -v $t >/dev/null || { say "skipped: no $t (not a Debian/Ubuntu machine)"; exit 1; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r $keyring ] || { say "skipped: no $keyring (apt-get install debian-archive-keyring)"; exit 1; }

if [ ! -x "$glibc/ld-linux-x86-64.so.2" ] || [ ! -x "$goroot/bin/go" ]; then
	mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	mirror=${mirror:-http://deb.debian.org/debian}
	mkdir -p "$dir/apt/etc" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs"
	cat >"$dir/apt/etc/trixie.sources" <<EOS
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: $keyring
EOS
	# Absolute paths: relative ones would resolve under /etc/apt.
	set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$dir/apt/etc" \
		-o Dir::State::Lists="$dir/apt/lists" -o Dir::Cache="$dir/apt/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	apt-get "$@" -qq update || { say "skipped: cannot reach $mirror (trixie)"; exit 1; }
	(cd "$dir/debs" && apt-get "$@" -qq download libc6 golang-1.24-go golang-1.24-src) ||
		{ say "skipped: cannot download libc6 and golang-1.24 from trixie"; exit 1; }
	dpkg -x "$dir"/debs/libc6_*.deb "$dir/glibc"
	for d in "$dir"/debs/golang-1.24-*.deb; do dpkg -x "$d" "$dir/go"; done
fi
if [ ! -x "$prog" ] || [ "$src/bench/go/randbench.go" -nt "$prog" ]; then
	(cd "$src/bench/go" && GOROOT="$goroot" GO111MODULE=off CGO_ENABLED=0 \
		GOCACHE="$dir/gocache" GOPATH="$dir/gopath" "$goroot/bin/go" build -o "$prog" randbench.go) ||
		{ say "skipped: Go 1.24 could not build bench/go/randbench.go"; exit 1; }
fi
"$glibc/ld-linux-x86-64.so.2" --library-path "$glibc" /bin/true ||
	{ say "skipped: glibc 2.41's loader does not run here"; exit 1; }
echo "VGR_BENCH_GLIBC241=$glibc"
echo "VGR_BENCH_GO=$prog"
