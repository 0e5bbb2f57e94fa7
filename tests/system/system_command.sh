#!/bin/bash
# Inside the root (tests/system/system.sh), as root: `vgetrandom system`
# shows, adds and removes the library in /etc/ld.so.preload atomically,
# keeps every other entry, refuses non-root callers and a library whose
# self-test fails.  Prints "NAME OK|FAIL detail".
set -u
build=$2
preload=/etc/ld.so.preload
other=/lib/x86_64-linux-gnu/libdl.so.2 # harmless to preload: an empty stub
[ -e "$other" ] || other=$(ls /lib/*/libdl.so.2 | head -1)
lib=$(vgetrandom info | sed -n 's/^library: *//p')
tmp=$(mktemp -d)
as_alice() { setpriv --reuid=alice --regid=alice --init-groups "$@"; }
t() { # NAME CONDITION...: one verdict
	local name=$1
	shift
	if "$@"; then echo "$name OK"; else echo "$name FAIL (rc $rc; $(tr '\n' ' ' <"$tmp/o" | cut -c1-300))"; fi
}
sys() { vgetrandom system "$@" >"$tmp/o" 2>&1; rc=$?; }
is_file() { [ -f "$preload" ] && printf '%b' "$1" | cmp -s - "$preload"; }
no_temp_left() { ! ls -a /etc | grep -q '^\.ld\.so\.preload\.'; }

rm -f "$preload"
sys status
t command-status-absent eval '[ $rc = 3 ] && grep -q "not enabled" "$tmp/o"'
sys enable
t command-enable eval '[ $rc = 0 ] && is_file "$lib\n" && no_temp_left'
sys status
t command-status-enabled eval '[ $rc = 0 ] && grep -q "enabled system-wide ($lib)" "$tmp/o"'
cp "$preload" "$tmp/before"
sys enable
t command-enable-twice eval '[ $rc = 0 ] && grep -q "already enabled" "$tmp/o" && cmp -s "$tmp/before" "$preload"'
sys disable
t command-disable-removes-file eval '[ $rc = 0 ] && [ ! -e "$preload" ]'
sys disable
t command-disable-twice eval '[ $rc = 0 ] && grep -q "not enabled" "$tmp/o"'

# Another entry, oddly spaced, and a mode of its own: kept byte for byte.
printf '  %s \n' "$other" >"$preload"
chmod 0640 "$preload"
cp "$preload" "$tmp/orig"
ino=$(stat -c %i "$preload")
sys enable
t command-enable-keeps-others eval '[ $rc = 0 ] && is_file "  $other \n$lib\n" && [ "$(stat -c %a "$preload")" = 640 ] && no_temp_left'
t command-enable-renames eval '[ "$(stat -c %i "$preload")" != "$ino" ]'
sys disable
t command-disable-keeps-others eval '[ $rc = 0 ] && cmp -s "$tmp/orig" "$preload"'
printf '%s:%s\n' "$other" "$lib" >"$preload"
sys disable
t command-disable-shared-line eval '[ $rc = 0 ] && is_file "$other\n"'
printf '%s\n' "$lib" >>"$preload"
sys enable
t command-enable-already-listed eval '[ $rc = 0 ] && grep -q "already enabled" "$tmp/o"'

# Refusals leave the file as it was.
cp "$preload" "$tmp/orig"
as_alice vgetrandom system enable >"$tmp/o" 2>&1; rc=$?
t command-enable-needs-root eval '[ $rc = 1 ] && grep -q "only root" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
as_alice vgetrandom system disable >"$tmp/o" 2>&1; rc=$?
t command-disable-needs-root eval '[ $rc = 1 ] && grep -q "only root" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys disable
cp "$preload" "$tmp/orig"
sys enable "$build/tests/system/libvgetrandom.so.0"
t command-refuses-zero-library eval '[ $rc = 1 ] && grep -q "zero or repeated output" "$tmp/o" && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable /etc/passwd
t command-refuses-non-library eval '[ $rc = 1 ] && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable "$other"
t command-refuses-other-library eval '[ $rc = 1 ] && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable relative/libvgetrandom.so.0
t command-refuses-relative-path eval '[ $rc = 1 ] && grep -q "not an absolute path" "$tmp/o"'
rm -f "$preload"
rm -rf "$tmp"
