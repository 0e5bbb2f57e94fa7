#!/bin/bash
# Inside the root (tests/system/system.sh): the battery's six passes.  The
# preload is switched on and off with the installed `vgetrandom system`
# command, as an operator would.
#
# usage: passes.sh SRC BUILD OUT
set -eu
src=$1 build=$2 out=$3
battery() { # LABEL COUNT
	local t0=$SECONDS
	bash "$src/tests/system/battery.sh" "$out/$1.tsv" \
		"$build/tests/system/userland-probe" "$build/system-tests.list" "$2"
	echo "== pass $1: $((SECONDS - t0)) s"
}
mount -t proc proc /proc
vgetrandom system disable
battery base-proc 0
vgetrandom system enable
battery pre-proc 0
battery pre-count 1
vgetrandom system disable
battery base-count 1
umount /proc
battery base-noproc 0
vgetrandom system enable
battery pre-noproc 0
vgetrandom system disable
