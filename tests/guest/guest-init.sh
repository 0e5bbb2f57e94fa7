#!/bin/busybox sh
# /init of the guest initramfs (tests/guest/guests.sh): the guest profile
# of the suite under the vdso, hybrid and chacha backends, on the real
# kernel; with vgr.profile=old on the kernel's command line (a kernel
# before the vDSO's getrandom), the same tests under auto and chacha, where
# the generator must serve, and vdso and hybrid, which must fall back to it.  Prints "VGR-RESULT name exit seconds" per test, then VGR-DONE,
# and powers off.  The counts are scaled for TCG (VGR_STORM_SCALE divides
# the fork and signal rounds; the 2 GiB test is left out).
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The host's boot watchdog waits for this line.  From here on only
# warnings reach the console, as with "quiet", so kernel messages do not
# split the result lines.
echo 4 >/proc/sys/kernel/printk
echo VGR-INIT
cd /t || exit 1

echo "kernel: $(uname -srm)"
VGETRANDOM_BACKEND=auto ./vgetrandom info 2>&1

run() { # NAME ENV... -- PROGRAM
	name=$1
	shift
	start=$(date +%s)
	# A hang fails its own test (killed: exit 143), not the whole guest.
	timeout 300 env VGR_SKIP_HUGE=1 VGR_STORM_SCALE=10 "$@" >/tmp/out 2>&1
	r=$?
	end=$(date +%s)
	[ "$r" = 0 ] || [ "$r" = 77 ] || tail -30 /tmp/out
	grep -E '^\[  (PASSED|SKIPPED|FAILED)  \]|^kernel |^selected' /tmp/out | sed "s/^/$name: /"
	echo "VGR-RESULT $name $r $((end - start))"
}

run chacha-kat ./test-chacha-kat
[ -x ./test-chacha-sodium ] && run chacha-sodium ./test-chacha-sodium
# No kernel leaves key-dependent bytes on the stack, where the library
# can read the stack pointer to zero it (x86-64, AArch64, LoongArch).
case $(uname -m) in
x86_64|aarch64|loongarch64) run chacha-stack ./test-chacha-stack ;;
esac
run vdso-lookup VGETRANDOM_BACKEND=vdso ./test-vdso-lookup
# GRND_INSECURE refused as Linux 5.4 would (a seccomp filter): so by the
# generator too.
run insecure-refused-chacha VGETRANDOM_BACKEND=chacha ./test-insecure-refused

if grep -q 'vgr.profile=old' /proc/cmdline; then
	# No vDSO getrandom: the generator serves auto, and vdso and hybrid
	# fall back to it (their message goes to the test's output).
	for b in auto chacha vdso hybrid; do
		run contract-$b VGETRANDOM_BACKEND=$b VGR_EXPECT_BACKEND=chacha- ./test-contract
	done
	# The generator runs the best ChaCha20 kernel this CPU has: the first
	# one the library lists.
	info=$(VGETRANDOM_BACKEND=auto ./vgetrandom info 2>&1)
	got=$(echo "$info" | sed -n 's/^backend: *//p')
	best=$(echo "$info" | sed -n 's/^chacha20 impls: *\([^ ]*\).*/\1/p')
	echo "best-kernel: backend $got, kernels listed first $best"
	echo "VGR-RESULT best-kernel $([ "$got" = "chacha-$best" ] && echo 0 || echo 1) 0"
	# Their one message, once.
	for b in vdso hybrid; do
		n=$(VGETRANDOM_BACKEND=$b ./vgetrandom info 2>&1 |
			grep -c "VGETRANDOM_BACKEND=$b, but this kernel offers no usable vgetrandom vDSO")
		echo "fallback-message-$b: $n message lines"
		echo "VGR-RESULT fallback-message-$b $([ "$n" = 1 ] && echo 0 || echo 1) 0"
	done
	for b in auto chacha; do
		run threads-$b VGETRANDOM_BACKEND=$b ./test-threads
		run fork-$b VGETRANDOM_BACKEND=$b ./test-fork
		run signals-$b VGETRANDOM_BACKEND=$b ./test-signals
		run faults-$b VGETRANDOM_BACKEND=$b ./test-faults
		run generator-$b VGETRANDOM_BACKEND=$b ./test-generator
		# Fork, thread and signal storms: no repeated bytes.
		run storms-$b VGETRANDOM_BACKEND=$b VGR_STORM_SCALE=50 ./test-storms
	done
	# getentropy and arc4random* as the system call would answer.
	run libc-names ./test-libc-names
	echo VGR-DONE
	sync
	poweroff -f
fi
# Strict: on these kernels the vDSO must serve.
run contract-vdso VGETRANDOM_BACKEND=vdso VGR_EXPECT_BACKEND=vdso ./test-contract
run contract-hybrid VGETRANDOM_BACKEND=hybrid VGR_EXPECT_BACKEND=vdso+chacha- ./test-contract
run contract-chacha VGETRANDOM_BACKEND=chacha VGR_EXPECT_BACKEND=chacha- ./test-contract
for b in vdso hybrid chacha; do
	run threads-$b VGETRANDOM_BACKEND=$b ./test-threads
	run fork-$b VGETRANDOM_BACKEND=$b ./test-fork
	run signals-$b VGETRANDOM_BACKEND=$b ./test-signals
	run faults-$b VGETRANDOM_BACKEND=$b ./test-faults
done
run generator-chacha VGETRANDOM_BACKEND=chacha ./test-generator
run generator-hybrid VGETRANDOM_BACKEND=hybrid ./test-generator
echo VGR-DONE
sync
poweroff -f
