#!/bin/sh
# Test hooks exist only in the testing build of the core (-DVGR_TESTING):
# the testing archive has every one of them (so this list is current), and
# the library that ships has none, not even as a local symbol.
# usage: check-no-hooks.sh SHARED_LIBRARY TESTING_ARCHIVE
set -eu
lib=$1
testing=$2
hooks="bulk_call_count generator_seed_count generator_test_set_budgets
generator_test_key thread_state_current thread_state_spare thread_state_test_mark_busy
thread_state_test_clear_busy
vgr_test_syscall_fallbacks arena_take arena_get_stats arena_test_fail_next_mmap arena_test_during_grow
chacha_tail_impl_list"
rc=0
for h in $hooks; do
	if ! nm "$testing" 2>/dev/null | grep -qw "$h"; then
		echo "the testing archive lacks $h: update this list"
		rc=1
	fi
	if nm "$lib" | grep -qw "$h"; then
		echo "the shipped library contains the test hook $h"
		rc=1
	fi
done
[ $rc = 0 ] && echo "no test hooks in $lib ($(echo $hooks | wc -w) checked)"
exit $rc
