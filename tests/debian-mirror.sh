# Sourced by the scripts that build Debian roots (tests/system/system.sh,
# tests/fresh/fresh.sh): the machine's own Debian mirror, else Debian's.
# debian_mirror: prints the mirror's URI.
# mirror_reachable URI SUITE: exit 0 when the suite's Release file answers.
debian_mirror() {
	m=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$m" ] || m=$(sed -n 's/^deb \(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}
mirror_reachable() {
	python3 - "$1/dists/$2/Release" <<'PY'
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=20).read(1)
PY
}
