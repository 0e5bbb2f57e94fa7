# Sourced by the scripts that build Debian roots (tests/system/system.sh,
# tests/fresh/fresh.sh, tests/deb/deb.sh): the machine's own Debian mirror,
# else Debian's, and the roots themselves.
# debian_mirror: prints the mirror's URI.
# mirror_reachable URI SUITE: exit 0 when the suite's Release file answers.
# cached_root ROOT SUITE MIRROR PACKAGES LOG [MMDEBSTRAP-OPTION...]: a
#   minbase root at ROOT holding PACKAGES (comma-separated), built again
#   only when the suite, the packages or the mirror changed (ROOT.stamp);
#   mmdebstrap's output in LOG.  Sets root_seconds to the build's seconds
#   (empty when the cached root served); exit 1 when mmdebstrap failed.
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
cached_root() {
	cr_root=$1 cr_suite=$2 cr_mirror=$3 cr_packages=$4 cr_log=$5
	shift 5
	root_seconds=
	cr_stamp="$cr_suite $cr_packages $cr_mirror"
	[ "$(cat "$cr_root.stamp" 2>/dev/null)" = "$cr_stamp" ] && return 0
	rm -rf "$cr_root" "$cr_root.stamp"
	cr_t0=$(date +%s)
	mmdebstrap --quiet --variant=minbase --include="$cr_packages" "$@" \
		"$cr_suite" "$cr_root" "deb $cr_mirror $cr_suite main" >"$cr_log" 2>&1 || return 1
	echo "$cr_stamp" >"$cr_root.stamp"
	root_seconds=$(($(date +%s) - cr_t0))
}
