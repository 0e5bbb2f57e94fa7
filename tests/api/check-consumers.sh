#!/bin/sh
# Other projects consume the library as packagers and vendoring projects
# do: tests/consumer as a Meson project with the library as its subproject
# (dependency('vgetrandom', fallback: ...), the library's
# meson.override_dependency); the installed copy through pkg-config from
# the same Meson project, and from a CMake project (pkg_check_modules).
# Each consumer program must run and print a backend.
# usage: check-consumers.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
run_consumer() { # WHAT PROGRAM [LIBDIR]
	out=$(LD_LIBRARY_PATH=${3:-} "$2") && [ -n "$out" ] ||
		{ echo "FAIL: $1: the consumer did not run"; fail=1; return; }
	echo "$1: consumer ran, backend $out"
}

# 1. Meson subproject (no installed copy visible to pkg-config).
mkdir -p "$tmp/sub/subprojects/libvgetrandom"
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/consumer.c" "$tmp/sub/"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude=./bench-results -cf - . |
	tar -C "$tmp/sub/subprojects/libvgetrandom" -xf -
if PKG_CONFIG_LIBDIR=/nonexistent meson setup "$tmp/sub/b" "$tmp/sub" >"$tmp/sub.log" 2>&1 &&
   meson compile -C "$tmp/sub/b" >>"$tmp/sub.log" 2>&1 &&
   grep -q 'Dependency vgetrandom found: YES .* (overridden)' "$tmp/sub.log"; then
	run_consumer "meson subproject" "$tmp/sub/b/consumer"
else
	tail -30 "$tmp/sub.log"
	echo "FAIL: the Meson subproject consumer did not build from the subproject"
	fail=1
fi

# 2. The installed copy, through pkg-config, from Meson and from CMake.
dest=$tmp/dest
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
pc=$(dirname "$(find "$dest" -name vgetrandom.pc | head -1)")
libdir=$(dirname "$pc")
export PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$dest"
if meson setup --wrap-mode=nofallback "$tmp/pc" "$tmp/sub" >"$tmp/pc.log" 2>&1 &&
   meson compile -C "$tmp/pc" >>"$tmp/pc.log" 2>&1 &&
   grep -q 'Run-time dependency vgetrandom found: YES' "$tmp/pc.log"; then
	run_consumer "meson + pkg-config" "$tmp/pc/consumer" "$libdir"
else
	tail -30 "$tmp/pc.log"
	echo "FAIL: the Meson consumer did not build against the installed copy"
	fail=1
fi
if command -v cmake >/dev/null 2>&1; then
	if cmake -S "$src/tests/consumer/cmake" -B "$tmp/cm" >"$tmp/cm.log" 2>&1 &&
	   cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1; then
		run_consumer "cmake pkg_check_modules" "$tmp/cm/consumer" "$libdir"
	else
		tail -30 "$tmp/cm.log"
		echo "FAIL: the CMake consumer did not build against the installed copy"
		fail=1
	fi
else
	echo "no cmake here: the CMake consumer is left out"
fi
exit $fail
