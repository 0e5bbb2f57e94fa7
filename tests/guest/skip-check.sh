#!/bin/sh
# A guest that cannot run is skipped, never passed: guests.sh itself, made
# to fail in the two ways CI can meet, must record exactly one SKIP for the
# architecture, no OK, and say why in its summary.
#
#   unfetchable: a new work directory with the mirror unreachable (an HTTP
#     proxy nobody listens on), so neither qemu 10 nor sid's packages come;
#   no-init: a new work directory sharing the guests stage's download
#     cache (so only the build is done again, about 30 s for loong64),
#     with a boot limit of 0 s, so both boots are stopped before /init.
#
# usage: skip-check.sh SOURCE_ROOT GUESTS_WORK_DIR RESULTS [ARCH]
# (run after the guests stage, which fills GUESTS_WORK_DIR with its cache
# and results-*.jsonl; ARCH defaults to loong64).  Appends one meson-style
# JSON line per check to RESULTS.
set -u
src=$1 gdir=$2 results=$3 arch=${4:-loong64}
rc=0
record_stage=guest
. "$src/tests/record.sh"

# check NAME REASON_PATTERN WORK_DIR ENV...: run guests.sh for $arch with
# ENV, and judge its results and summary.
check() {
	name=$1 pattern=$2 work=$3
	shift 3
	out=$work/skip-check-$name.jsonl
	: >"$out"
	env "$@" sh "$src/tests/guest/guests.sh" "$src" "$work" "$out" "$arch" \
		>"$work/skip-check-$name.log" 2>&1
	st=$?
	skips=$(grep -c '"result": "SKIP"' "$out")
	others=$(grep -vc '"result": "SKIP"' "$out")
	if [ "$st" = 0 ] && [ "$skips" = 1 ] && [ "$others" = 0 ] &&
	   grep -q "^$arch: skipped: .*$pattern" "$out.summary"; then
		record "skip-when-$name" OK "($(grep "^$arch: skipped" "$out.summary"))"
	else
		record "skip-when-$name" FAIL "(exit $st, $skips skipped, $others other results; summary:)"
		sed 's/^/    /' "$out.summary"
	fi
}

fresh=$(mktemp -d)
check unfetchable 'cannot fetch' "$fresh" http_proxy=http://127.0.0.1:9 \
	https_proxy=http://127.0.0.1:9
rm -rf "$fresh"
if cat "$gdir"/results-*.jsonl 2>/dev/null | grep -q "\"guest/$arch/.*\"OK\""; then
	noinit=$(mktemp -d)
	ln -s "$(cd "$gdir" && pwd)/cache" "$noinit/cache"
	check no-init 'did not reach /init' "$noinit" VGR_GUEST_BOOT_TIMEOUT=0
	rm -rf "$noinit"
else
	# The guests stage could not run this guest either: nothing to boot.
	record skip-when-no-init SKIP "(no $arch guest ran in the guests stage)"
fi
exit $rc
