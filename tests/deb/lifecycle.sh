#!/bin/sh
# Run by deb.sh inside an overlay on tests/system's Debian root: install
# the packages, enable the preload, upgrade, purge; /etc/ld.so.preload and
# ld.so's stderr checked at every step.  Prints "RESULT NAME OK|FAIL
# [detail]" lines.
# usage: lifecycle.sh DEBS   (DEBS/first and DEBS/second hold the .debs)
set -u
debs=$1
export DEBIAN_FRONTEND=noninteractive
say() { echo "RESULT $*"; }
preload=/etc/ld.so.preload

# Another entry the operator listed, with spacing of its own: it must come
# through every step byte for byte.
other=$(ls /usr/lib/*-linux-gnu/libm.so.6 | head -1)
printf '%s  \n' "$other" >$preload
cp $preload /tmp/preload.before

# No program may print an ld.so error (a listed file that does not exist).
quiet() { # NAME: run a few programs; any stderr is a failure
	out=$( { /bin/true; /bin/ls / >/dev/null; python3 -c 'import os; os.urandom(8)'; } 2>&1)
	if [ -z "$out" ]; then say "$1" OK; else say "$1" FAIL "($out)"; fi
}

apt-get install -y -q "$debs"/first/libvgetrandom0_*.deb "$debs"/first/vgetrandom_*.deb \
	"$debs"/first/libvgetrandom-dev_*.deb >/tmp/install.log 2>&1 ||
	{ tail -20 /tmp/install.log; say install FAIL "(apt-get install ./*.deb)"; exit 1; }
say install OK
lib=$(dpkg -L libvgetrandom0 | grep '/libvgetrandom\.so\.0$' | head -1)
if cmp -s $preload /tmp/preload.before; then
	say install-never-enables OK
else
	say install-never-enables FAIL "($(cat $preload))"
fi
quiet installed-quiet

vgetrandom system enable >/tmp/enable.log 2>&1 || { cat /tmp/enable.log; say enable FAIL; }
listed=$(tail -1 $preload)
if head -c "$(wc -c </tmp/preload.before)" $preload | cmp -s - /tmp/preload.before &&
	[ -e "$listed" ] && [ "$(readlink -f "$listed")" = "$(readlink -f "$lib")" ] &&
	grep -q libvgetrandom /proc/self/maps; then  # grep's own maps: it loads the preload
	say enable OK "(listed: $listed)"
else
	say enable FAIL "($(cat $preload))"
fi
quiet enabled-quiet

# The upgrade, with a program started over and over meanwhile: the listed
# file must exist at every instant, so none may print an ld.so error.
: >/tmp/during
( while [ ! -e /tmp/upgrade.done ]; do /bin/true 2>>/tmp/during; done ) &
watcher=$!
apt-get install -y -q "$debs"/second/libvgetrandom0_*.deb "$debs"/second/vgetrandom_*.deb \
	"$debs"/second/libvgetrandom-dev_*.deb >/tmp/upgrade.log 2>&1
st=$?
touch /tmp/upgrade.done
wait $watcher
new=$(dpkg-query -W -f '${Version}' libvgetrandom0)
case $new in *+upgrade1) ;; *) st="$st (not the second build)" ;; esac
if [ "$st" = 0 ]; then
	say upgrade OK "(to $new)"
else
	tail -10 /tmp/upgrade.log
	say upgrade FAIL "(exit $st, version $new)"
fi
if [ -s /tmp/during ]; then
	say upgrade-entry-valid FAIL "($(sort -u /tmp/during | head -3))"
else
	say upgrade-entry-valid OK
fi
if [ "$(tail -1 $preload)" = "$listed" ] &&
	head -c "$(wc -c </tmp/preload.before)" $preload | cmp -s - /tmp/preload.before; then
	say upgrade-keeps-entry OK
else
	say upgrade-keeps-entry FAIL "($(cat $preload))"
fi
quiet upgraded-quiet

apt-get purge -y -q libvgetrandom0 >/tmp/purge.log 2>&1 || { tail -10 /tmp/purge.log; say purge FAIL; }
if dpkg-query -W -f '${Status}' vgetrandom libvgetrandom-dev libvgetrandom0 2>/dev/null | grep -q installed; then
	say purge FAIL "(a package is still installed)"
else
	say purge OK
fi
if cmp -s $preload /tmp/preload.before; then
	say purge-removes-entry OK
else
	say purge-removes-entry FAIL "($(cat $preload 2>&1))"
fi
quiet purged-quiet
