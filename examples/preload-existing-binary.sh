#!/bin/sh
# Speeding up a program you cannot rebuild: preload the library.
# Both lines below make python3's os.urandom() use libvgetrandom.
#
#   LD_PRELOAD=libvgetrandom.so.0 python3 -c 'import os; print(os.urandom(8).hex())'
#   vgetrandom exec python3 -c 'import os; print(os.urandom(8).hex())'
#
# usage: preload-existing-binary.sh LIBRARY VGETRANDOM_COMMAND
set -eu
lib=$1
cmd=$2
prog='import os; print(os.urandom(8).hex())'
command -v python3 >/dev/null || { echo "no python3: skip"; exit 77; }
a=$(LD_PRELOAD="$lib" python3 -c "$prog")
b=$("$cmd" exec python3 -c "$prog")
echo "$a"
echo "$b"
[ ${#a} = 16 ] && [ ${#b} = 16 ] && [ "$a" != "$b" ]
