#!/bin/sh
# The bench's report read as a user reads it: written to a file (a log,
# tee), stderr has no carriage returns, only one line per stage; with the
# library's own source left out (as when it cannot run), no figure that
# needs it is printed and none is garbage (nan, inf, a huge number from
# an unset median).
# usage: check-report.sh VGETRANDOM_BENCH
set -u
bench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

"$bench" --quick --rounds 1 --skip vgetrandom --csv "$tmp/b.csv" --json "$tmp/b.json" \
	>"$tmp/out" 2>"$tmp/err" </dev/null
r=$?
[ $r = 0 ] || { bad "the bench exited $r"; tail -20 "$tmp/err"; }
if grep -q "$(printf '\r')" "$tmp/err" "$tmp/out"; then
	bad "carriage returns in a log: $(tr '\r' '|' <"$tmp/err" | head -c 300)"
else
	echo "ok   no carriage returns; progress lines: $(grep -c '\.\.\.$' "$tmp/err")"
fi
grep -Eq '^vgetrandom {4,}[0-9]' "$tmp/out" && bad "a row for the left-out source: $(grep -E '^vgetrandom {4,}[0-9]' "$tmp/out")"
grep -q '^vgetrandom / raw-vdso\|^vgetrandom against glibc' "$tmp/out" &&
	bad "a ratio against the left-out source: $(grep '^vgetrandom / raw-vdso\|^vgetrandom against' "$tmp/out")"
# Every number in the size tables is finite and below 1e9 (ns, x, MB/s).
garbage=$(sed -n '/^ns per call/,/^backends as/p' "$tmp/out" | grep -iE 'nan|inf|[0-9]{10,}')
[ -z "$garbage" ] || bad "garbage figures: $garbage"
grep -q 'skipped (not installed or not supported here): .*vgetrandom ' "$tmp/out" ||
	bad "the left-out source is not listed as skipped"
[ $fail = 0 ] && echo "ok   the report without the library's own source"
exit $fail
