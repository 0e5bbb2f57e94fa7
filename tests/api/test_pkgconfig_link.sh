#!/bin/sh
# A program that knows nothing of libvgetrandom (it calls libc's getrandom,
# getentropy and arc4random_buf), linked with -lvgetrandom through
# pkg-config: those calls are served by the library, so 30,000 of them make
# at most one getrandom system call (the vDSO's first key fetch).
#
# usage: test_pkgconfig_link.sh BUILD_ROOT SOURCE_ROOT
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v pkg-config >/dev/null || { echo "no pkg-config: skip"; exit 77; }
command -v strace >/dev/null || { echo "no strace: skip"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "ptrace not permitted: skip"; exit 77; }

export PKG_CONFIG_PATH="$build/meson-uninstalled"
flags=$(pkg-config --cflags --libs vgetrandom)
echo "pkg-config: $flags"
${CC:-cc} -o "$tmp/prog" "$src/examples/libc_names.c" $flags

LD_LIBRARY_PATH="$build/lib" strace -f -qq -s 0 -e trace=getrandom -o "$tmp/trace" "$tmp/prog" 10000 >"$tmp/out"
calls=$(grep 'getrandom(' "$tmp/trace" | grep -vc ', 8, GRND_NONBLOCK)' || true)
echo "program output: $(cat "$tmp/out")"
echo "getrandom system calls for 30000 library calls: $calls"
# The process's first request (the system call serves it before any
# setup) and the vDSO's first key for the thread's state.
[ "$calls" -le 2 ]
grep -q '^ok' "$tmp/out"
