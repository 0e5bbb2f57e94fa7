#!/bin/sh
# Free until the first draw: a process that loads the library and never
# draws makes no system call beyond the loader's own mapping of it, and so
# survives a sandbox that kills any MAP_DROPPABLE mapping.  One that draws
# once (16 bytes) makes that one getrandom system call and nothing more.
#   - strace of /bin/true, /bin/echo and draw-once, preloaded with the
#     library and with an empty library: the same system calls in the same
#     order (addresses, lengths and strings aside);
#   - under a filter that kills a process at an mmap with MAP_DROPPABLE,
#     /bin/true and draw-once preloaded exit 0.  (A program that draws
#     twice there is killed at its second draw, as under glibc 2.41 at its
#     first, which maps the same memory.)
# usage: test_start_free.sh LIBRARY EMPTY_LIBRARY KILL_DROPPABLE_EXEC DRAW_ONCE
set -u
lib=$(realpath "$1") empty=$(realpath "$2") killer=$3 draw_once=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

command -v strace >/dev/null 2>&1 || { echo "skip: no strace"; exit 77; }
[ -z "${VGR_UNDER_VALGRIND:-}" ] || { echo "skip: valgrind runs the program itself"; exit 77; }
[ -z "${VGR_UNDER_SANITIZER:-}" ] || { echo "skip: a sanitizer build loads its runtime too"; exit 77; }

# The system calls of CMD with PRELOAD, one per line, their arguments'
# addresses, numbers and strings blanked.
calls() {
	out=$1; shift
	strace -qq -o "$out.raw" -E LD_PRELOAD="$preload" "$@" >/dev/null 2>&1
	sed -E 's/0x[0-9a-f]+/X/g; s/"[^"]*"(\.\.\.)?/S/g; s/[0-9]+/N/g' "$out.raw" >"$out"
}
for prog in /bin/true /bin/echo "$draw_once"; do
	name=$(basename $prog)
	preload=$empty calls "$tmp/$name.empty" $prog
	preload=$lib calls "$tmp/$name.lib" $prog
	if cmp -s "$tmp/$name.empty" "$tmp/$name.lib"; then
		ok "$prog preloaded: $(wc -l <"$tmp/$name.lib") system calls, as with an empty library"
	else
		bad "$prog preloaded: system calls differ from an empty library's:"
		diff "$tmp/$name.empty" "$tmp/$name.lib" | head -20
	fi
done

# Killed at an mmap with MAP_DROPPABLE.
for prog in /bin/true "$draw_once"; do
	LD_PRELOAD=$lib "$killer" "$prog"
	r=$?
	case $r in
	0) ok "$prog preloaded under a filter that kills MAP_DROPPABLE maps: exit 0" ;;
	77) echo "skip the kill filter: no seccomp here" ;;
	*) bad "$prog preloaded under the kill filter: exit $r (159 is SIGSYS)" ;;
	esac
done
exit $fail
