#!/bin/sh
# The shared library's ABI against the committed baseline (abi/, written by
# libabigail's abidw; `meson compile -C build abi-baseline` rewrites it):
# any removed, added or changed exported symbol or type fails, with
# abidiff's report.  CONTRIBUTING.md says when and how to move the
# baseline.  First a self-check: the baseline with one function taken out
# must be seen as incompatible, so the comparison itself can fail.
# usage: check-abi.sh LIBRARY BASELINE
# exit 0 pass, 1 fail, 77 skip (no abidiff; a baseline for x86-64 only)
set -u
lib=$1
base=$2
command -v abidiff >/dev/null 2>&1 || { echo "no abidiff (package abigail-tools): skip"; exit 77; }
[ "$(uname -m)" = x86_64 ] || { echo "the baseline is x86-64's: skip"; exit 77; }
[ -z "${VGR_UNDER_SANITIZER:-}" ] || { echo "a sanitizer build: skip"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk '/<elf-symbol name=.vgetrandom_reseed./ { next }
     /<function-decl name=.vgetrandom_reseed./ { skip = 1 }
     skip { if (/<\/function-decl>/) skip = 0; next }
     { print }' "$base" >"$tmp/removed.abi"
abidiff "$base" "$tmp/removed.abi" >"$tmp/self.txt" 2>&1
r=$?
if [ $((r & 8)) = 0 ]; then
	echo "FAIL: abidiff did not see a removed function as incompatible (exit $r)"
	cat "$tmp/self.txt"
	exit 1
fi

abidiff "$base" "$lib" >"$tmp/report.txt" 2>&1
r=$?
if [ $r != 0 ]; then
	echo "FAIL: the ABI differs from $base (abidiff exit $r):"
	cat "$tmp/report.txt"
	echo "If the change is meant, follow CONTRIBUTING.md, \"Changing the ABI\"."
	exit 1
fi
echo "ABI as in $(basename "$base") (and the self-check saw a removed function as incompatible)"
