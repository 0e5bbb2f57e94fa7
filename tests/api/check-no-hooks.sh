#!/bin/sh
# Test hooks exist only in the testing build of the core (-DVGR_TESTING),
# and every one is named vgr_test_*: each global symbol the testing archive
# defines beyond the core archive has that prefix, so one grep finds them
# all.  The builds that ship (the shared library, the static archive, the
# stat build) have none, not even as a local symbol.
# usage: check-no-hooks.sh CORE_ARCHIVE TESTING_ARCHIVE SHIPPED...
set -u
core=$1
testing=$2
shift 2
rc=0
globals() { nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[A-Z]$/ { print $3 }' | sort -u; }
globals "$core" >"${TMPDIR:-/tmp}/nohooks.$$.core"
extra=$(globals "$testing" | comm -23 - "${TMPDIR:-/tmp}/nohooks.$$.core")
rm -f "${TMPDIR:-/tmp}/nohooks.$$.core"
bad=$(printf '%s\n' "$extra" | grep -v '^vgr_test_' | grep -v '^$')
if [ -n "$bad" ]; then
	echo "testing-build symbols without the vgr_test_ prefix:" $bad
	rc=1
fi
n=$(printf '%s\n' "$extra" | grep -c '^vgr_test_')
if [ "$n" -eq 0 ]; then
	echo "the testing archive has no vgr_test_ hook: this check would see nothing"
	rc=1
fi
for f in "$@"; do
	nm -a "$f" >/dev/null 2>&1 || { echo "cannot read the symbols of $f"; rc=1; continue; }
	found=$(nm -a "$f" 2>/dev/null | grep -o 'vgr_test_[A-Za-z0-9_]*' | sort -u)
	if [ -n "$found" ]; then
		echo "$f contains test hooks:" $found
		rc=1
	fi
done
[ $rc = 0 ] && echo "no test hooks in $* ($n vgr_test_ hooks in the testing build)"
exit $rc
