#!/bin/sh
# The built library carries the USDT probes lib/events.h states, provider
# "vgetrandom", each with its number of arguments (readelf -n).
# usage: check-probes.sh LIBRARY yes|no   (no: built without <sys/sdt.h>)
set -u
lib=$1
notes=$(readelf -n "$lib")
if [ "$2" != yes ]; then
	if printf '%s\n' "$notes" | grep -q 'Provider: vgetrandom'; then
		echo "FAIL: probes in a build configured without them"; exit 1
	fi
	echo "SKIP: built without <sys/sdt.h> (-Dprobes)"; exit 77
fi
fail=0
for p in request:3 fallback:2 state_take:1 state_give:1 reseed:1 fork_reclaim:1; do
	name=${p%:*} nargs=${p#*:}
	args=$(printf '%s\n' "$notes" | awk -v n="$name" '
		/Provider:/ { prov = $2 } /Name:/ { name = $2 }
		/Arguments:/ { if (prov == "vgetrandom" && name == n) { print NF - 1 } }' | sort -u)
	if [ -z "$args" ]; then
		echo "FAIL: no probe vgetrandom:$name"; fail=1
	elif [ "$args" != "$nargs" ]; then
		echo "FAIL: vgetrandom:$name has $args arguments, expected $nargs"; fail=1
	else
		echo "ok   vgetrandom:$name ($nargs arguments, $(printf '%s\n' "$notes" | grep -c "Name: $name\$") sites)"
	fi
done
exit $fail
