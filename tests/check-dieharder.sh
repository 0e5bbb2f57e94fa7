#!/bin/sh
# usage: check-dieharder.sh PATH/TO/dieharder.sh
#
# The verdicts of tests/dieharder.sh: a FAILED that passes on fresh bytes
# passes, a FAILED twice fails, no result fails.  These cases run a stand-in
# dieharder that prints what each case scripts; then, when the real
# dieharder is installed, a defective generator (all zero bytes) must fail.
# exit 0 pass, 1 fail.
set -u
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

# The stand-in: FAKE_PLAN lists, per test number, the verdict of each run
# ("102=FAILED,PASSED": the first sts_serial run fails, the second passes;
# a test not listed passes).  It counts its runs in $tmp/runs-N.
mkdir "$tmp/bin"
cat >"$tmp/bin/dieharder" <<'EOF'
#!/bin/sh
while getopts g:d: o; do [ $o = d ] && d=$OPTARG; done
n=$(($(cat "$FAKE_DIR/runs-$d" 2>/dev/null || echo 0) + 1))
echo $n >"$FAKE_DIR/runs-$d"
verdict=$(echo " $FAKE_PLAN " | sed -n "s/.* $d=\([A-Z,]*\) .*/\1/p" | cut -d, -f$n)
case $d in 0) name=diehard_birthdays ;; 100) name=sts_monobit ;; 101) name=sts_runs ;; 102) name=sts_serial ;; esac
case ${verdict:-PASSED} in
PASSED) p=0.51234567 ;;
FAILED) p=0.99999943 ;;
NONE) exit 1 ;;
esac
printf '%20s|%4s|%10s|%8s|%10s|%10s\n' $name 7 100000 100 $p "${verdict:-PASSED}"
EOF
chmod +x "$tmp/bin/dieharder"

with_stand_in() { # PLAN GENERATOR-COMMAND...: dieharder.sh on the stand-in, runs counted afresh
	plan=$1
	shift
	rm -f "$tmp"/runs-*
	PATH="$tmp/bin:$PATH" FAKE_DIR=$tmp FAKE_PLAN=$plan sh "$script" "$@"
}

case_() { # NAME PLAN WANT-EXIT WANT-TEXT
	out=$(with_stand_in "$2" head -c 1000 /dev/zero)
	got=$?
	if [ $got -ne "$3" ] || ! echo "$out" | grep -qF -- "$4"; then
		echo "FAIL $1: exit $got (want $3), output:"
		echo "$out" | sed 's/^/  /'
		echo "  (wanted it to contain: $4)"
		rc=1
	else
		echo "ok   $1: exit $got: $(echo "$out" | tail -1)"
	fi
}

case_ "all pass" "" 0 "4 PASSED, 0 WEAK, 0 FAILED in"
case_ "a FAILED that passes again" "102=FAILED,PASSED" 0 \
	"3 PASSED, 0 WEAK, 1 FAILED in diehard_birthdays, sts_monobit, sts_runs, sts_serial; sts_serial FAILED (p = 0.99999943), passed on fresh bytes"
case_ "two FAILED tests, each passing again" "0=FAILED,PASSED 101=FAILED,PASSED" 0 \
	"sts_runs FAILED (p = 0.99999943), passed on fresh bytes"
case_ "a FAILED twice" "102=FAILED,FAILED" 1 "FAILED twice: sts_serial"
case_ "a rerun with no result" "100=FAILED,NONE" 1 "FAILED, then no result: sts_monobit"
case_ "no result at all" "0=NONE 100=NONE 101=NONE 102=NONE" 1 "dieharder printed no result"

# Only the rerun of the test that FAILED: sts_serial ran twice, the others once.
with_stand_in "102=FAILED,PASSED" true >/dev/null
runs="$(cat "$tmp/runs-0") $(cat "$tmp/runs-100") $(cat "$tmp/runs-101") $(cat "$tmp/runs-102")"
if [ "$runs" = "1 1 1 2" ]; then
	echo "ok   runs per test: $runs"
else
	echo "FAIL runs per test (birthdays, monobit, runs, serial): $runs, want 1 1 1 2"
	rc=1
fi

if command -v dieharder >/dev/null 2>&1; then
	out=$(sh "$script" cat /dev/zero)
	got=$?
	if [ $got -eq 1 ] && echo "$out" | grep -q "FAILED twice"; then
		echo "ok   zero bytes, real dieharder: exit 1: $(echo "$out" | tail -1)"
	else
		echo "FAIL zero bytes, real dieharder: exit $got, output:"
		echo "$out" | sed 's/^/  /'
		rc=1
	fi
else
	echo "skip zero bytes, real dieharder: not installed"
fi
exit $rc
