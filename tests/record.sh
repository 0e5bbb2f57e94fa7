# Sourced by the test command's stage scripts (tests/harness.sh,
# tests/fresh/fresh.sh, tests/system/system.sh, tests/deb/deb.sh,
# tests/guest/skip-check.sh), which set
# results (the file tests/run.sh counts), record_stage (the name prefix) and
# rc first.
# record NAME OK|FAIL|SKIP [detail]: one meson-style JSON line to $results
# and one line to the log; a FAIL sets rc=1.
record() {
	printf '{"name": "%s/%s", "result": "%s"}\n' "$record_stage" "$1" "$2" >>"$results"
	printf '%-34s %s %s\n' "$record_stage/$1" "$2" "${3:-}"
	[ "$2" = FAIL ] && rc=1
	return 0
}
