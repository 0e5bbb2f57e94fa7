#!/bin/bash
# Inside the root (tests/system/system.sh): what happens when
# /etc/ld.so.preload names a library that is missing or unreadable.  ld.so
# prints an error on stderr in every program, ignores the entry and runs the
# program unchanged; a setuid program too.  Prints "NAME OK|FAIL detail".
set -u
out=$1
preload=/etc/ld.so.preload
tmp=$(mktemp -d)
as_alice() { setpriv --reuid=alice --regid=alice --init-groups "$@"; }

# check NAME: the last run printed "hi" on stdout, exited 0, and ld.so's
# error about ENTRY on stderr.
check() {
	if [ "$rc" = 0 ] && [ "$(cat "$tmp/o")" = hi ] &&
	   grep -q "object '$entry' from $preload cannot be preloaded" "$tmp/e" &&
	   grep -q "ignored" "$tmp/e"; then
		echo "$1 OK (exit 0, output unchanged; ld.so said: $(head -1 "$tmp/e"))"
	else
		echo "$1 FAIL (exit $rc, stdout '$(cat "$tmp/o")', stderr '$(head -2 "$tmp/e")')"
	fi
}

entry=/usr/local/lib/no-such-dir/libvgetrandom.so.0
echo "$entry" >"$preload"
sh -c 'echo hi' >"$tmp/o" 2>"$tmp/e"; rc=$?
check preload-entry-missing
as_alice sh -c 'echo hi' >"$tmp/o" 2>"$tmp/e"; rc=$?
check preload-entry-missing-user
{ echo alice-pw | as_alice su -c 'echo hi' alice; } >"$tmp/o" 2>"$tmp/e"; rc=$?
sed -i 's/^Password: //' "$tmp/o"
check preload-entry-missing-setuid

lib=$(vgetrandom info 2>/dev/null | sed -n 's/^library: *//p')
entry=/usr/local/lib/vgr-unreadable.so
cp "$lib" "$entry"
chmod 000 "$entry"
echo "$entry" >"$preload"
as_alice sh -c 'echo hi' >"$tmp/o" 2>"$tmp/e"; rc=$?
check preload-entry-unreadable

# `vgetrandom system status` points at such an entry.
vgetrandom system status >"$tmp/o" 2>&1
if grep -q "$entry.*missing or unreadable" "$tmp/o"; then
	echo "status-names-broken-entry OK"
else
	echo "status-names-broken-entry FAIL ($(cat "$tmp/o"))"
fi
rm -f "$entry" "$preload"
cp "$tmp/e" "$out/ld.so-error.txt"
rm -rf "$tmp"
