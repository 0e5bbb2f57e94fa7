#!/bin/sh
# Every man page renders without a single groff warning, and every symbol
# the library exports is documented (named in the NAME section of a page).
# usage: check-man.sh MANDIR LIBRARY
set -u
mandir=$1
lib=$2
fail=0
command -v groff >/dev/null || { echo "no groff: skip"; exit 77; }
for page in "$mandir"/*.[1-9]; do
	out=$(groff -wall -mandoc -Tutf8 -z "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "$page: $out"
		fail=1
	fi
done
for sym in $(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }'); do
	if ! grep -lqE "^\.Nm $sym( ,)?\$" "$mandir"/*.3; then
		echo "exported $sym has no man page"
		fail=1
	fi
done
[ -f "$mandir/vgetrandom.1" ] || { echo "no page for the vgetrandom command"; fail=1; }
[ $fail = 0 ] && echo "all pages clean; every exported function documented"
exit $fail
