#!/bin/bash
# Inside the root (tests/system/system.sh), as root: `vgetrandom system`
# shows, adds and removes the library in /etc/ld.so.preload atomically,
# reads it with ld.so's rules (comments, '\r'), keeps every other byte,
# edits a symbolic link's target, refuses non-root callers, a library whose
# self-test fails and one that anyone but root could replace.  Prints "NAME OK|FAIL detail".
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
# From a root-owned place: the build tree may sit under /tmp, which enable
# rightly refuses before any self-test.
mkdir -p /usr/local/lib/vgr-zero
cp "$build/tests/system/libvgetrandom.so.0" /usr/local/lib/vgr-zero/
sys enable /usr/local/lib/vgr-zero/libvgetrandom.so.0
rm -rf /usr/local/lib/vgr-zero
t command-refuses-zero-library eval '[ $rc = 1 ] && grep -q "zero or repeated output" "$tmp/o" && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable /etc/passwd
t command-refuses-non-library eval '[ $rc = 1 ] && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable "$other"
t command-refuses-other-library eval '[ $rc = 1 ] && grep -q "refusing" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
sys enable relative/libvgetrandom.so.0
t command-refuses-relative-path eval '[ $rc = 1 ] && grep -q "not an absolute path" "$tmp/o"'

# ld.so's rules: '#' to the end of the line is a comment, '\r' is part of
# a name.  A commented-out entry is not enabled and survives every edit.
printf '#%s (disabled 2026-11-30)\n' "$lib" >"$preload"
cp "$preload" "$tmp/orig"
sys status
t command-comment-not-enabled eval '[ $rc = 3 ] && grep -q "not enabled" "$tmp/o"'
sys enable
t command-enable-beside-comment eval '[ $rc = 0 ] && is_file "#$lib (disabled 2026-11-30)\n$lib\n"'
sys disable
t command-disable-keeps-comment eval '[ $rc = 0 ] && cmp -s "$tmp/orig" "$preload"'
sys disable
t command-disable-leaves-comment eval '[ $rc = 0 ] && grep -q "not enabled" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
printf '%s#a comment\n%s # why it is here\n' "$other" "$lib" >"$preload"
sys disable
t command-disable-inline-comments eval '[ $rc = 0 ] && is_file "$other#a comment\n# why it is here\n"'
# What status lists is what ld.so opens: names that do not exist, so ld.so
# names each one it tries, in a file whose later comments its comment loop
# blanks only in part (elf/rtld.c; tools/preload_list.c).
printf '/nonexistent/a.so#x y\n# c1 c2 c3\n/nonexistent/b.so # c4 c5\n#/nonexistent/c.so\n:/nonexistent/d.so\t/nonexistent/e.so\r\n/nonexistent/f.so' >"$preload"
ldso=$(/bin/true 2>&1 | sed -n "s/^ERROR: ld.so: object '\(.*\)' from \/etc\/ld.so.preload cannot be preloaded.*/\1/p")
vgetrandom system status >"$tmp/o" 2>/dev/null
ours=$(sed -n 's/^entry: *\([^ ]*\).*/\1/p' "$tmp/o")
rc=0
t command-parse-as-ldso eval '[ -n "$ldso" ] && [ "$ldso" = "$ours" ]'
[ "$ldso" = "$ours" ] || printf 'ld.so: %s\nours:  %s\n' "$(echo $ldso)" "$(echo $ours)"
# A CRLF file: the entry ends in '\r', which ld.so cannot load.
printf '%s\r\n%s\r\n' "$other" "$lib" >"$preload"
sys status
t command-crlf-not-enabled eval '[ $rc = 3 ] && grep -q "carriage return" "$tmp/o"'
sys disable
t command-disable-crlf eval '[ $rc = 0 ] && is_file "$other\r\n"'
# A symbolic link: its target is edited, the link stays.
rm -f "$preload"
mkdir -p /etc/vgr-preload.d
printf '%s\n' "$other" >/etc/vgr-preload.d/list
ln -s vgr-preload.d/list "$preload"
sys enable
t command-enable-symlink eval '[ $rc = 0 ] && [ -L "$preload" ] && printf "%s\n%s\n" "$other" "$lib" | cmp -s - /etc/vgr-preload.d/list'
sys disable
t command-disable-symlink eval '[ $rc = 0 ] && [ -L "$preload" ] && printf "%s\n" "$other" | cmp -s - /etc/vgr-preload.d/list && ! ls -a /etc/vgr-preload.d | grep -q "^\.ld"'
rm -f "$preload"
ln -s vgr-preload.d/missing "$preload"
sys enable
t command-enable-dangling-symlink eval '[ $rc = 1 ] && grep -q "symbolic link to nothing" "$tmp/o" && [ -L "$preload" ] && [ ! -e /etc/vgr-preload.d/missing ]'
rm -rf "$preload" /etc/vgr-preload.d

# A library that someone other than root could replace is never listed:
# under a directory every user can write, owned by nobody, or reached
# through a link to such a place.  status flags one already listed.
printf '%s\n' "$other" >"$preload"
cp "$preload" "$tmp/orig"
mkdir -p -m 0777 /tmp/vgr-open
cp "$lib" /tmp/vgr-open/libvgetrandom.so.0
sys enable /tmp/vgr-open/libvgetrandom.so.0
t command-refuses-writable-dir eval '[ $rc = 1 ] && grep -q "writable by every user" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
mkdir -p /usr/local/lib/vgr-nobody
cp "$lib" /usr/local/lib/vgr-nobody/libvgetrandom.so.0
chown nobody /usr/local/lib/vgr-nobody/libvgetrandom.so.0
sys enable /usr/local/lib/vgr-nobody/libvgetrandom.so.0
t command-refuses-user-owned eval '[ $rc = 1 ] && grep -q "owned by uid" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
chmod 0775 /usr/local/lib/vgr-nobody
chown root /usr/local/lib/vgr-nobody/libvgetrandom.so.0
sys enable /usr/local/lib/vgr-nobody/libvgetrandom.so.0
t command-refuses-group-writable eval '[ $rc = 1 ] && grep -q "writable by its group" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
ln -sf /tmp/vgr-open/libvgetrandom.so.0 /usr/local/lib/libvgr-link.so.0
sys enable /usr/local/lib/libvgr-link.so.0
t command-refuses-link-to-unsafe eval '[ $rc = 1 ] && grep -q "refusing /usr/local/lib/libvgr-link.so.0: /tmp is writable" "$tmp/o" && cmp -s "$tmp/orig" "$preload"'
printf '/tmp/vgr-open/libvgetrandom.so.0\n' >>"$preload"
sys status
t command-status-flags-unsafe eval 'grep -q "^entry: *\/tmp\/vgr-open\/libvgetrandom.so.0.*UNSAFE" "$tmp/o"'
rm -rf /tmp/vgr-open /usr/local/lib/vgr-nobody /usr/local/lib/libvgr-link.so.0
rm -f "$preload"
rm -rf "$tmp"
