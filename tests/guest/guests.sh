#!/bin/sh
# The library against real kernels of other architectures: for each of
# arm64, s390x (big-endian), riscv64, ppc64le and loong64, cross-build the
# library and its tests (Debian 12's cross gcc; clang-19 with a sysroot of
# sid's packages for loong64), boot Debian's kernel for that architecture
# under qemu-system (TCG; for loong64 bookworm-backports' qemu 10,
# unpacked) with them in an initramfs, and run the guest profile
# (guest-init.sh) there.  Every vDSO architecture must report the vDSO
# backend.  And the kernels most users run, older than the vDSO: x86_64
# guests of Debian 12's Linux 6.1 (amd64-bookworm) and Debian 11's 5.10
# (amd64-bullseye), with the library built natively, where the generator
# must serve (the "old" profile of guest-init.sh).  Appends one
# meson-style JSON result line per guest test to RESULTS (the same format
# tests/run.sh counts) and prints a table.
#
# A kernel, package or emulator that cannot be fetched or started, or a
# kernel that never reaches the initramfs' /init, makes that architecture
# "skipped" with the reason, never "passed"; from /init on, a guest that
# does not finish fails.  Downloads (kernel image, busybox-static, the
# target's libraries, qemu 10) go through a private apt configuration
# under CACHE; the system's apt setup is not touched.
#
# usage: guests.sh SOURCE_ROOT WORK_DIR RESULTS [ARCH...]
# (the one-line-per-architecture table also goes to RESULTS.summary)
set -u
src=$(cd "$1" && pwd)
work=$(mkdir -p "$2" && cd "$2" && pwd) # apt reads relative Dir:: paths from /etc/apt
results=$3
shift 3
archs=${*:-arm64 s390x riscv64 ppc64el}
cache=$work/cache
mkdir -p "$cache"
summary=$results.summary
: >"$summary"
rc=0

record() { # NAME RESULT
	printf '{"name": "guest/%s", "result": "%s"}\n' "$1" "$2" >>"$results"
	[ "$2" = FAIL ] && rc=1
	return 0
}

# Per guest: Debian arch, GNU triple, kernel flavour and suite, suite for
# the target's packages, qemu command, the kernel's console and extra
# arguments, the profile guest-init.sh runs, whether the build is native,
# and the compiler (Debian 12's cross gcc, or clang-19 with the target's
# libc unpacked into a sysroot: loong64, which Debian 12 has no gcc for).
setup_arch() {
	darch=$1 ksuite=sid profile=vdso native=0 toolchain=gcc kargs='' qemu10=0
	case $1 in
	arm64) triple=aarch64-linux-gnu flavour=arm64 suite=bookworm
		qemu="qemu-system-aarch64 -M virt -cpu max" console=ttyAMA0 ;;
	s390x) triple=s390x-linux-gnu flavour=s390x suite=bookworm
		qemu="qemu-system-s390x -M s390-ccw-virtio -cpu max" console=ttysclp0 ;;
	riscv64) triple=riscv64-linux-gnu flavour=riscv64 suite=trixie
		qemu="qemu-system-riscv64 -M virt -cpu rv64 -bios default" console=ttyS0 ;;
	ppc64el) triple=powerpc64le-linux-gnu flavour=powerpc64le suite=bookworm
		qemu="qemu-system-ppc64 -M pseries -cpu power9" console=hvc0 ;;
	# Debian 12's qemu 7.2 loads only ELF kernels on loongarch: qemu 10
	# from bookworm-backports, unpacked (qemu10_setup).  The i8042 probe
	# oopses on this machine.
	loong64) triple=loongarch64-linux-gnu flavour=loong64 suite=sid toolchain=clang
		qemu="qemu-system-loongarch64 -M virt -cpu la464" console=ttyS0 qemu10=1
		kargs=initcall_blacklist=i8042_init ;;
	amd64-bookworm|amd64-bullseye)
		darch=amd64 triple=x86_64-linux-gnu flavour=cloud-amd64 suite=bookworm
		ksuite=${1#amd64-} profile=old native=1
		qemu="qemu-system-x86_64 -M q35 -cpu max" console=ttyS0 ;;
	*) return 1 ;;
	esac
}

# A private apt for SUITE and ARCH under the cache: apt_get ARGS...
apt_private() { # SUITE ARCH
	d=$cache/apt-$1-$2
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/prefs"
	uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	cat >"$d/parts/$1.sources" <<EOF
Types: deb
URIs: $uri
Suites: $1
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$d/parts
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$d/prefs
		-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache
		-o APT::Architectures::=$2 -o APT::Architecture=$2 -o Debug::NoLocking=1"
	if [ ! -f "$d/updated" ]; then
		# shellcheck disable=SC2086
		apt-get $apt_opts update >"$d/update.log" 2>&1 || return 1
		touch "$d/updated"
	fi
}

# Download PKG... for SUITE/ARCH into DIR (once) and unpack into ROOT.
# (Into $dest: sh has no local variables, and $root is run_arch's.)
fetch() { # SUITE ARCH ROOT PKG...
	s=$1 a=$2 dest=$3
	shift 3
	apt_private "$s" "$a" || return 1
	dl=$cache/debs-$s-$a
	mkdir -p "$dl" "$dest"
	for p in "$@"; do
		if ! ls "$dl/${p}_"*.deb >/dev/null 2>&1; then
			# shellcheck disable=SC2086
			(cd "$dl" && apt-get $apt_opts download "$p:$a" >>"$dl/download.log" 2>&1) || return 1
		fi
		dpkg -x "$(ls "$dl/${p}_"*.deb | head -1)" "$dest" || return 1
	done
}

# The kernel package of $ksuite for ARCH: linux-image-FLAVOUR depends on
# linux-image-VERSION-FLAVOUR, whose image is in linux-binary-VERSION-FLAVOUR
# (Linux 7.x packaging) or in the image package itself (older ones).
fetch_kernel() { # ARCH ROOT
	apt_private "$ksuite" "$1" || return 1
	# shellcheck disable=SC2086
	ver=$(apt-cache $apt_opts depends "linux-image-$flavour:$1" 2>/dev/null |
		sed -n "s/.*Depends: linux-image-\\(.*\\)-$flavour\$/\\1/p" | head -1)
	[ -n "$ver" ] || return 1
	for p in "linux-binary-$ver-$flavour" "linux-image-$ver-$flavour" \
	         "linux-image-$ver-$flavour-unsigned"; do
		if fetch "$ksuite" "$1" "$2" "$p" 2>/dev/null && [ -n "$(kernel_image "$2")" ]; then
			kver=$ver
			return 0
		fi
	done
	return 1
}

# The kernel image in an unpacked kernel package: /boot/vmlinu* in older
# packaging, /usr/lib/modules/VERSION/vmlinu* in Linux 7.x's.
kernel_image() { # ROOT
	ls "$1"/boot/vmlinu* "$1"/usr/lib/modules/*/vmlinu* 2>/dev/null | head -1
}

# The image qemu can load.  An EFI zboot image ("MZ", then "zimg" at byte
# 4) carries the kernel compressed, the payload's offset and size at bytes
# 8-15 (little-endian) and its compression at byte 24.  qemu 10 unpacks
# gzip payloads only; Debian's loong64 kernel is zstd, so it is unpacked
# here, once, into ROOT/Image.unzboot.
bootable_kernel() { # ROOT
	k=$(kernel_image "$1")
	if [ "$(dd if="$k" bs=1 skip=4 count=4 2>/dev/null)" != zimg ] ||
	   [ "$(dd if="$k" bs=1 skip=24 count=4 2>/dev/null)" != zstd ]; then
		echo "$k"
		return 0
	fi
	if [ ! -s "$1/Image.unzboot" ]; then
		off=$(od -A n -t u4 -j 8 -N 4 "$k" | tr -d ' ')
		size=$(od -A n -t u4 -j 12 -N 4 "$k" | tr -d ' ')
		tail -c +$((off + 1)) "$k" | head -c "$size" |
			zstd -d -q -f -o "$1/Image.unzboot.part" || return 1
		mv "$1/Image.unzboot.part" "$1/Image.unzboot"
	fi
	echo "$1/Image.unzboot"
}

# qemu 10 from bookworm-backports, unpacked under the cache (never
# installed: Debian 12's qemu 7.2 stays the system's).  Its binary also
# looks for modules in the compiled-in directory, where 7.2's are, and
# aborts on the first one of another build; so it runs in a private mount
# namespace with its own modules bound over that directory ($dir/qemu-10,
# a wrapper), and -L names its firmware directory.
qemu10_setup() {
	q10=$cache/qemu-10
	if [ ! -f "$q10/.complete" ]; then
		rm -rf "$q10"
		fetch bookworm-backports amd64 "$q10" qemu-system-misc qemu-system-common \
			qemu-system-data || { why="cannot fetch bookworm-backports' qemu-system-misc (qemu 10)"; return 1; }
		touch "$q10/.complete"
	fi
	bin=$q10/usr/bin/${qemu%% *}
	mods=$q10/usr/lib/x86_64-linux-gnu/qemu
	sysmods=/usr/lib/x86_64-linux-gnu/qemu
	[ -x "$bin" ] || { why="bookworm-backports' qemu-system-misc has no ${qemu%% *}"; return 1; }
	ns="unshare -m --propagation private"
	[ "$(id -u)" = 0 ] || ns="unshare -r -m --propagation private"
	{
		echo '#!/bin/sh'
		if [ -d "$sysmods" ]; then
			echo "exec $ns sh -c 'mount --bind \"\$1\" \"\$2\" && shift 2 && exec \"\$@\"' sh \\"
			echo "	'$mods' '$sysmods' '$bin' -L '$q10/usr/share/qemu' \"\$@\""
		else
			echo "QEMU_MODULE_DIR='$mods' exec '$bin' -L '$q10/usr/share/qemu' \"\$@\""
		fi
	} >"$dir/qemu-10"
	chmod +x "$dir/qemu-10"
	# It must start, namespace and all.
	"$dir/qemu-10" -M help >"$dir/qemu-10.log" 2>&1 ||
		{ why="qemu 10 does not start: $(tail -1 "$dir/qemu-10.log")"; return 1; }
	qemu="$dir/qemu-10 ${qemu#* }"
}

# The target's packages besides the kernel: busybox and the tests'
# libraries; for a suite other than Debian 12 the target's libc too (the
# cross gcc's is 2.36, older than the one those libraries need), and for
# clang a whole sysroot (libc6-dev, linux-libc-dev, and the crt files and
# libgcc.a of the suite's gcc).  Names that move with the suite
# (libsodium's soname, gcc's version) are read from its package lists.
target_pkgs() {
	apt_private "$suite" "$darch" || return 1
	# shellcheck disable=SC2086
	sodium=$(apt-cache $apt_opts depends "libsodium-dev:$darch" 2>/dev/null |
		sed -n 's/^ *Depends: \(libsodium[0-9]*\)$/\1/p' | head -1)
	pkgs="busybox-static libcmocka0 libcmocka-dev ${sodium:-libsodium23} libsodium-dev"
	[ "$suite" = bookworm ] || pkgs="$pkgs libc6 libgcc-s1"
	if [ "$toolchain" = clang ]; then
		# shellcheck disable=SC2086
		gccv=$(apt-cache $apt_opts depends "gcc:$darch" 2>/dev/null |
			sed -n 's/^ *Depends: gcc-\([0-9][0-9]*\)$/\1/p' | head -1)
		[ -n "$gccv" ] || return 1
		pkgs="$pkgs libc6-dev linux-libc-dev libgcc-$gccv-dev"
	fi
}

# Boot the guest and wait for it (qrc: qemu's exit status; $log.txt: the
# console).  A guest that has not reached its /init within
# VGR_GUEST_BOOT_TIMEOUT seconds is killed and booted once more, the
# same way: no code of the library has run by then.  A TCG boot takes
# 10-30 s here, but about 1 riscv64 boot in 35 never gets past the
# kernel's first instructions (tests/guest/README.md).  The kernel is
# not quiet until /init, so the console shows where a later boot stops.
boot_guest() {
	boot_limit=${VGR_GUEST_BOOT_TIMEOUT:-240}
	for attempt in 1 2; do
		# shellcheck disable=SC2086
		timeout "${VGR_GUEST_TIMEOUT:-900}" $qemu -m 2048 -smp 2 -nographic -no-reboot \
			-kernel "$kernel" -initrd "$dir/initramfs.gz" \
			-append "console=$console panic=-1 vgr.profile=$profile $kargs" >"$log" 2>&1 &
		qpid=$!
		waited=0 hung=0
		while kill -0 "$qpid" 2>/dev/null && ! grep -q 'VGR-INIT' "$log"; do
			if [ "$waited" -ge "$boot_limit" ]; then
				hung=1
				kill "$qpid"
				break
			fi
			sleep 2
			waited=$((waited + 2))
		done
		wait "$qpid"
		qrc=$?
		tr -d '\r' <"$log" >"$log.txt"
		if [ "$hung" = 0 ] || [ "$attempt" = 2 ]; then
			break
		fi
		cp "$log.txt" "$log.hung.txt"
		echo "$arch: boot $attempt did not reach /init in ${boot_limit}s; booting again. Its last lines:" |
			tee -a "$summary"
		tail -5 "$log.hung.txt" | sed 's/^/    /' | tee -a "$summary"
	done
}

run_arch() {
	arch=$1
	setup_arch "$arch" || { echo "$arch: unknown"; return; }
	t0=$(date +%s)
	dir=$work/$arch
	root=$cache/root-$arch
	mkdir -p "$dir"
	log=$dir/console.log

	skip() {
		echo "$arch: skipped: $1" | tee -a "$summary"
		record "$arch" SKIP
	}
	if [ "$toolchain" = clang ]; then
		for t in clang-19 ld.lld-19 llvm-ar-19 zstd unshare; do
			command -v $t >/dev/null || { skip "no $t (apt-get install clang-19 lld-19 llvm-19 zstd)"; return; }
		done
	else
		command -v "$triple-gcc" >/dev/null ||
			{ skip "no $triple-gcc (Debian 12 has no cross compiler for it)"; return; }
	fi
	if [ "$qemu10" = 1 ]; then
		qemu10_setup || { skip "$why"; return; }
	else
		command -v "${qemu%% *}" >/dev/null ||
			{ skip "no ${qemu%% *}"; return; }
	fi
	target_pkgs || { skip "cannot read $suite's package lists for $darch"; return; }
	if [ "$(cat "$root/.complete" 2>/dev/null)" != "$pkgs" ]; then
		rm -rf "$root"
		fetch_kernel "$darch" "$root" || { skip "cannot fetch $ksuite's linux-image-$flavour"; return; }
		# shellcheck disable=SC2086
		fetch "$suite" "$darch" "$root" $pkgs || { skip "cannot fetch $pkgs from $suite"; return; }
		# The target's linker scripts (libc.so) name /lib64/... and
		# /lib/...: in a sysroot those resolve under it.
		[ "$toolchain" = clang ] && ln -sfn usr/lib64 "$root/lib64" && ln -sfn usr/lib "$root/lib"
		echo "$kver" >"$root/.kver"
		echo "$pkgs" >"$root/.complete"
	fi
	kver=$(cat "$root/.kver")
	kernel=$(bootable_kernel "$root") || { skip "cannot unpack the zboot kernel image"; return; }

	# Cross build against the host's cross libc (or, with clang, the
	# sysroot's), with the target's cmocka.
	b=$dir/build
	if [ "$toolchain" = clang ]; then
		tools="c = ['clang-19', '--target=$triple', '--sysroot=$root']
c_ld = 'lld'
ar = 'llvm-ar-19'
strip = 'llvm-strip-19'"
	else
		tools="c = '$triple-gcc'
ar = '$triple-ar'
strip = '$triple-strip'"
	fi
	cat >"$dir/cross.ini" <<EOF
[binaries]
$tools
pkgconfig = 'pkg-config'

[properties]
pkg_config_libdir = ['$root/usr/lib/$triple/pkgconfig', '$root/usr/lib/pkgconfig']
sys_root = '$root'
needs_exe_wrapper = true

[built-in options]
c_link_args = ['-Wl,--allow-shlib-undefined', '-Wl,-rpath-link,$root/usr/lib/$triple']

[host_machine]
system = 'linux'
cpu_family = '$(case $arch in arm64) echo aarch64 ;; ppc64el) echo ppc64 ;; loong64) echo loongarch64 ;; *) echo "$arch" ;; esac)'
cpu = '$(case $arch in arm64) echo aarch64 ;; ppc64el) echo ppc64le ;; loong64) echo loongarch64 ;; *) echo "$arch" ;; esac)'
endian = '$(case $arch in s390x) echo big ;; *) echo little ;; esac)'
EOF
	cross="--cross-file $dir/cross.ini"
	[ "$native" = 1 ] && cross=""
	if [ ! -f "$b/build.ninja" ]; then
		# shellcheck disable=SC2086
		meson setup "$b" "$src" $cross --werror \
			-Dtests=enabled -Dexamples=disabled -Dbench=disabled \
			>"$dir/setup.log" 2>&1 || { tail -20 "$dir/setup.log"; record "$arch-build" FAIL; return; }
	fi
	meson compile -C "$b" >"$dir/compile.log" 2>&1 ||
		{ tail -30 "$dir/compile.log"; record "$arch-build" FAIL; return; }

	# The initramfs: busybox, the loader and libraries, the tests.
	ir=$dir/initramfs
	rm -rf "$ir"
	mkdir -p "$ir/bin" "$ir/lib" "$ir/t" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/tmp"
	bb=$(ls "$root/bin/busybox" "$root/usr/bin/busybox" 2>/dev/null | head -1)
	cp "$bb" "$ir/bin/busybox"
	# readelf reads any architecture's program headers.
	interp=$(readelf -l "$b/tests/unit/test-threads" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	libdir=/usr/$triple/lib
	[ "$suite" = bookworm ] || libdir=$root/usr/lib/$triple
	[ "$native" = 1 ] && libdir=/lib/$triple
	mkdir -p "$ir$(dirname "$interp")"
	cp -L "$libdir/$(basename "$interp")" "$ir$interp"
	for l in libc.so.6 libm.so.6 libgcc_s.so.1; do
		[ -e "$libdir/$l" ] && cp -L "$libdir/$l" "$ir/lib/"
		[ -e "/usr/$triple/lib/$l" ] && [ ! -e "$ir/lib/$l" ] && cp -L "/usr/$triple/lib/$l" "$ir/lib/"
	done
	cp -L "$root/usr/lib/$triple/libcmocka.so.0" "$ir/lib/"
	cp -L "$(ls "$root/usr/lib/$triple"/libsodium.so.[0-9]* | head -1)" "$ir/lib/"
	cp -L "$b/lib/libvgetrandom.so.0" "$ir/lib/"
	for t in tests/api/test-contract tests/unit/test-threads tests/unit/test-fork \
	         tests/unit/test-signals tests/unit/test-generator tests/unit/test-faults \
	         tests/unit/test-vdso-lookup tests/unit/test-chacha-kat tests/unit/test-chacha-stack \
	         tests/unit/test-chacha-sodium tests/api/test-insecure-refused \
	         tests/api/test-storms tests/api/test-libc-names tools/vgetrandom; do
		[ -e "$b/$t" ] && cp "$b/$t" "$ir/t/"
	done
	cp "$src/tests/guest/guest-init.sh" "$ir/init"
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$dir/initramfs.gz"

	boot_guest
	t1=$(date +%s)
	# A kernel that never started /init ran no code of the library: when
	# the kernel itself stopped (it hung twice, or panicked, which ends
	# qemu with status 0 under -no-reboot), the architecture is skipped,
	# with the reason and the console's last lines, never counted as
	# passed.  What this script set up fails instead: an initramfs with
	# no working /init, or a qemu command that exits with an error (a
	# wrong option or wrapper: seen as a skip until this rule, when the
	# qemu 10 wrapper lost its modules directory).  From /init on, an
	# unfinished guest fails.
	if ! grep -q VGR-INIT "$log.txt"; then
		why=''
		if grep -q -e 'No working init found' -e 'Failed to execute /init' "$log.txt"; then
			why="the initramfs has no working /init"
		elif [ "$hung" = 0 ] && [ "$qrc" != 0 ]; then
			why="qemu exited with status $qrc before /init"
		fi
		if [ -n "$why" ]; then
			record "$arch/boot" FAIL
			echo "$arch: $why; last lines of $log.txt:"
			tail -10 "$log.txt"
			printf '%-8s Linux %-16s %s: 1 failed\n' "$arch" "$kver" "$why" | tee -a "$summary"
			return
		elif [ "$hung" = 1 ]; then
			skip "twice the kernel did not reach /init in ${boot_limit}s; console: $log.txt"
		else
			skip "the kernel stopped before /init (qemu exit 0); console: $log.txt"
		fi
		tail -5 "$log.txt" | sed 's/^/    /' | tee -a "$summary"
		return
	fi
	vdso=$(sed -n 's/^vdso symbol: *//p' "$log.txt" | head -1)
	backend=$(sed -n 's/^backend: *//p' "$log.txt" | head -1)
	pass=0 fail=0
	while read -r tag name res secs; do
		[ "$tag" = VGR-RESULT ] || continue
		if [ "$res" = 0 ]; then
			record "$arch/$name" OK
			pass=$((pass + 1))
		elif [ "$res" = 77 ]; then
			record "$arch/$name" SKIP
		else
			record "$arch/$name" FAIL
			fail=$((fail + 1))
			echo "$arch: $name failed (exit $res, ${secs}s); console: $log.txt"
		fi
	done <"$log.txt"
	if ! grep -q '^VGR-DONE' "$log.txt"; then
		record "$arch/boot" FAIL
		fail=$((fail + 1))
		echo "$arch: the guest did not finish (qemu exit $qrc); last lines:"
		tail -25 "$log.txt"
	fi
	printf '%-8s Linux %-16s %-34s %-22s %3d passed %2d failed  %dm%02ds\n' \
		"$arch" "$kver" "${vdso:-?}" "${backend:-?}" "$pass" "$fail" \
		$(((t1 - t0) / 60)) $(((t1 - t0) % 60)) | tee -a "$summary"
}

for a in $archs; do
	run_arch "$a"
done
exit $rc
