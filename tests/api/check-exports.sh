#!/bin/sh
# The shared library exports exactly the intended ABI, in its version node,
# and nothing else (internal symbols stay hidden).
set -eu
lib="$1"
expected="arc4random@@GLIBC_2.36
arc4random_buf@@GLIBC_2.36
arc4random_uniform@@GLIBC_2.36
getentropy@@GLIBC_2.25
getrandom@@GLIBC_2.25
vgetrandom@@VGETRANDOM_0.1
vgetrandom_backend@@VGETRANDOM_0.1
vgetrandom_chacha_kernel@@VGETRANDOM_0.2
vgetrandom_chacha_kernels@@VGETRANDOM_0.2
vgetrandom_provider@@VGETRANDOM_0.2
vgetrandom_reseed@@VGETRANDOM_0.1"
actual=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort)
if [ "$actual" != "$expected" ]; then
	echo "exported symbols differ from the intended list"
	echo "--- expected"; echo "$expected"
	echo "--- actual"; echo "$actual"
	exit 1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libvgetrandom.so.0" ] || { echo "SONAME is '$soname'"; exit 1; }
readelf -d "$lib" | grep -q 'NODELETE' || { echo "library is not -z nodelete"; exit 1; }
# bound at load: no lazy-binding trampoline saving vector registers (and
# with them ChaCha round state) on a caller's stack
readelf -d "$lib" | grep -Eq 'BIND_NOW|FLAGS.*NOW' || { echo "library is not -z now"; exit 1; }
echo "exports ok: $(echo "$actual" | tr '\n' ' ')"
