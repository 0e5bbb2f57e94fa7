#!/bin/sh
# vgetrandom(1) follows the command-line conventions: --help on stdout with
# status 0, --version with the project's one version number, and usage
# errors that name the command and what was wrong, on stderr, status 2.
# usage: check-cli.sh VGETRANDOM_COMMAND VERSION
set -u
cmd=$1
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$cmd" --help >"$tmp/out" 2>"$tmp/err"; r=$?
[ $r = 0 ] || bad "--help exited $r"
grep -q '^usage: vgetrandom' "$tmp/out" || bad "--help printed no usage on stdout"
[ -s "$tmp/err" ] && bad "--help wrote to stderr"

"$cmd" --version >"$tmp/out" 2>&1; r=$?
[ $r = 0 ] || bad "--version exited $r"
[ "$(cat "$tmp/out")" = "vgetrandom (libvgetrandom) $version" ] ||
	bad "--version said '$(cat "$tmp/out")', not version $version"

for args in "" "frob" "info extra" "bytes" "bytes 12x" "exec" "system" "system frob" \
	"system enable a b" "system status extra" "self-test a b"; do
	# shellcheck disable=SC2086
	"$cmd" $args >"$tmp/out" 2>"$tmp/err"; r=$?
	[ $r != 0 ] || bad "'vgetrandom $args' exited 0"
	head -1 "$tmp/err" | grep -q '^vgetrandom' || bad "'vgetrandom $args': the error does not name the command"
	[ -s "$tmp/out" ] && bad "'vgetrandom $args' wrote to stdout"
done

"$cmd" bytes 1k | wc -c | grep -qx 1024 || bad "bytes 1k did not write 1024 bytes"
"$cmd" self-test >"$tmp/out" 2>&1 || bad "self-test failed: $(cat "$tmp/out")"
grep -q '^self-test passed: ' "$tmp/out" || bad "self-test said '$(cat "$tmp/out")'"
# Not root, or root on a machine the test must not change: only status here
# (tests/system/system_command.sh tests enable and disable inside a root).
"$cmd" system status >"$tmp/out" 2>&1; r=$?
{ [ $r = 0 ] || [ $r = 3 ]; } || bad "system status exited $r"
grep -q '^libvgetrandom: \(not \)\?enabled system-wide' "$tmp/out" || bad "system status said '$(cat "$tmp/out")'"
[ $fail = 0 ] && echo "vgetrandom(1) follows the conventions (version $version)"
exit $fail
