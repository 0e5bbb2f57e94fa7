#!/bin/sh
# `meson install` into a DESTDIR puts everything where a user expects it,
# and a program outside this tree builds against the installed copy with
# `pkg-config --cflags --libs vgetrandom` and runs.
# usage: check-install.sh BUILD_ROOT SOURCE_ROOT PREFIX LIBDIR INCLUDEDIR MANDIR BINDIR
set -eu
build=$1 src=$2 prefix=$3 libdir=$4 includedir=$5 mandir=$6 bindir=$7
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v pkg-config >/dev/null || { echo "no pkg-config: skip"; exit 77; }

meson install -C "$build" --destdir "$tmp" --no-rebuild --quiet >/dev/null
root="$tmp$prefix"
abs() { case $1 in /*) echo "$tmp$1" ;; *) echo "$root/$1" ;; esac; }
case $libdir in /*) libdir_abs=$libdir ;; *) libdir_abs=$prefix/$libdir ;; esac
L=$(abs "$libdir") I=$(abs "$includedir") M=$(abs "$mandir") B=$(abs "$bindir")

fail=0
want() { [ -e "$1" ] || { echo "missing: ${1#$tmp}"; fail=1; }; }
want "$I/vgetrandom.h"
want "$L/libvgetrandom.so"
want "$L/libvgetrandom.a"
want "$L/libvgetrandom.so.0"
want "$L/pkgconfig/vgetrandom.pc"
want "$B/vgetrandom"
want "$L/vgetrandom/stat/libvgetrandom.so.0"
want "$B/vgetrandom.bt"
for p in man1/vgetrandom.1 man3/vgetrandom.3 man3/vgetrandom_backend.3 \
         man3/vgetrandom_reseed.3 man3/vgetrandom_libc.3 man7/libvgetrandom.7; do
	want "$M/$p"
done
soname=$(readelf -d "$L/libvgetrandom.so.0" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libvgetrandom.so.0 ] || { echo "SONAME '$soname'"; fail=1; }
real=$(readlink -f "$L/libvgetrandom.so")
case $real in *libvgetrandom.so.0.*.*) ;; *) echo "libvgetrandom.so -> $real"; fail=1 ;; esac
[ $fail = 0 ] || exit 1

# An out-of-tree program, through the installed .pc file only.
mkdir "$tmp/user"
cp "$src/examples/uuid4.c" "$tmp/user/"
flags=$(PKG_CONFIG_PATH="$L/pkgconfig" pkg-config --define-variable=prefix="$root" \
	--cflags --libs vgetrandom)
echo "pkg-config --cflags --libs vgetrandom: $flags"
(cd "$tmp/user" && ${CC:-cc} -o uuid4 uuid4.c $flags)
out=$(LD_LIBRARY_PATH="$L" "$tmp/user/uuid4")
echo "installed library gave: $out"
echo "$out" | grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
LD_LIBRARY_PATH="$L" "$B/vgetrandom" info | grep -q '^backend:'
# `vgetrandom stat` finds the installed stat build beside the library.
LD_LIBRARY_PATH="$L" "$B/vgetrandom" stat -o "$tmp/stat.txt" -- "$tmp/user/uuid4" >/dev/null
grep -q '^pid .* (uuid4)' "$tmp/stat.txt"
# The bpftrace script names the installed library.
grep -q "usdt:$libdir_abs/libvgetrandom.so.0:vgetrandom:request" "$B/vgetrandom.bt"

# A static glibc program through `pkg-config --static`: the archive, no
# loader, the same backend as the shared library here.
sflags=$(PKG_CONFIG_PATH="$L/pkgconfig" pkg-config --define-variable=prefix="$root" \
	--static --cflags --libs vgetrandom)
echo "pkg-config --static --cflags --libs vgetrandom: $sflags"
cp "$src/tests/api/static_user.c" "$tmp/user/"
if (cd "$tmp/user" && ${CC:-cc} -static -o static_user static_user.c $sflags); then
	want_backend=$(LD_LIBRARY_PATH="$L" "$B/vgetrandom" info | sed -n 's/^backend: *//p')
	sh "$src/tests/api/check-static-user.sh" "$tmp/user/static_user" "$want_backend" || exit 1
else
	echo "static link against the installed archive failed"
	exit 1
fi
echo "install ok"
