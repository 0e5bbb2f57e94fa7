#!/bin/sh
# The library against real kernels of other architectures: for each of
# arm64, s390x (big-endian), riscv64 and ppc64le, cross-build the library
# and its tests, boot Debian's kernel for that architecture under
# qemu-system (TCG) with them in an initramfs, and run the guest profile
# (guest-init.sh) there.  Every vDSO architecture must report the vDSO
# backend.  And the kernels most users run, older than the vDSO: x86_64
# guests of Debian 12's Linux 6.1 (amd64-bookworm) and Debian 11's 5.10
# (amd64-bullseye), with the library built natively, where the generator
# must serve (the "old" profile of guest-init.sh).  Appends one meson-style JSON result line per guest test to
# RESULTS (the same format tests/run.sh counts) and prints a table.
#
# A kernel or package that cannot be fetched makes that architecture
# "skipped" with the reason, never "passed".  Downloads (kernel image,
# busybox-static, libcmocka for the target) go through a private apt
# configuration under CACHE; the system's apt setup is not touched.
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
# the target's packages, qemu command, the kernel's console, the profile
# guest-init.sh runs, and whether the build is native.
setup_arch() {
	darch=$1 ksuite=sid profile=vdso native=0
	case $1 in
	arm64) triple=aarch64-linux-gnu flavour=arm64 suite=bookworm
		qemu="qemu-system-aarch64 -M virt -cpu max" console=ttyAMA0 ;;
	s390x) triple=s390x-linux-gnu flavour=s390x suite=bookworm
		qemu="qemu-system-s390x -M s390-ccw-virtio -cpu max" console=ttysclp0 ;;
	riscv64) triple=riscv64-linux-gnu flavour=riscv64 suite=trixie
		qemu="qemu-system-riscv64 -M virt -cpu rv64 -bios default" console=ttyS0 ;;
	ppc64el) triple=powerpc64le-linux-gnu flavour=powerpc64le suite=bookworm
		qemu="qemu-system-ppc64 -M pseries -cpu power9" console=hvc0 ;;
	loong64) triple=loongarch64-linux-gnu flavour=loong64 suite=sid
		qemu="qemu-system-loongarch64 -M virt -cpu la464" console=ttyS0 ;;
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
fetch() { # SUITE ARCH ROOT PKG...
	s=$1 a=$2 root=$3
	shift 3
	apt_private "$s" "$a" || return 1
	dl=$cache/debs-$s-$a
	mkdir -p "$dl" "$root"
	for p in "$@"; do
		if ! ls "$dl/${p}_"*.deb >/dev/null 2>&1; then
			# shellcheck disable=SC2086
			(cd "$dl" && apt-get $apt_opts download "$p:$a" >>"$dl/download.log" 2>&1) || return 1
		fi
		dpkg -x "$(ls "$dl/${p}_"*.deb | head -1)" "$root" || return 1
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

# Boot the guest and wait for it (qrc: qemu's exit status; $log.txt: the
# console).  A guest that has not reached its /init within
# VGR_GUEST_BOOT_TIMEOUT seconds is killed and booted once more, the
# same way: no code of the library has run by then.  A TCG boot takes
# 10-30 s here, but about 1 riscv64 boot in 35 never gets past the
# kernel's first instructions (tests/guest/README.md).  The kernel is
# not quiet until /init, so the console shows where a later boot stops.
boot_guest() {
	kernel=$(kernel_image "$root")
	boot_limit=${VGR_GUEST_BOOT_TIMEOUT:-240}
	for attempt in 1 2; do
		# shellcheck disable=SC2086
		timeout "${VGR_GUEST_TIMEOUT:-900}" $qemu -m 2048 -smp 2 -nographic -no-reboot \
			-kernel "$kernel" -initrd "$dir/initramfs.gz" \
			-append "console=$console panic=-1 vgr.profile=$profile" >"$log" 2>&1 &
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
	command -v "$triple-gcc" >/dev/null ||
		{ skip "no $triple-gcc (Debian 12 has no cross compiler for it)"; return; }
	command -v "${qemu%% *}" >/dev/null ||
		{ skip "no ${qemu%% *} (Debian 12's qemu 7.2 has none)"; return; }
	pkgs="busybox-static libcmocka0 libcmocka-dev libsodium23 libsodium-dev"
	# trixie's libcmocka is built against glibc 2.41: its libc too.
	[ "$suite" = trixie ] && pkgs="$pkgs libc6 libgcc-s1"
	if [ "$(cat "$root/.complete" 2>/dev/null)" != "$pkgs" ]; then
		rm -rf "$root"
		fetch_kernel "$darch" "$root" || { skip "cannot fetch $ksuite's linux-image-$flavour"; return; }
		# shellcheck disable=SC2086
		fetch "$suite" "$darch" "$root" $pkgs || { skip "cannot fetch $pkgs from $suite"; return; }
		echo "$kver" >"$root/.kver"
		echo "$pkgs" >"$root/.complete"
	fi
	kver=$(cat "$root/.kver")

	# Cross build against the host's cross libc, with the target's cmocka.
	b=$dir/build
	cat >"$dir/cross.ini" <<EOF
[binaries]
c = '$triple-gcc'
ar = '$triple-ar'
strip = '$triple-strip'
pkgconfig = 'pkg-config'

[properties]
pkg_config_libdir = ['$root/usr/lib/$triple/pkgconfig', '$root/usr/lib/pkgconfig']
sys_root = '$root'
needs_exe_wrapper = true

[built-in options]
c_link_args = ['-Wl,--allow-shlib-undefined', '-Wl,-rpath-link,$root/usr/lib/$triple']

[host_machine]
system = 'linux'
cpu_family = '$(case $arch in arm64) echo aarch64 ;; ppc64el) echo ppc64 ;; *) echo "$arch" ;; esac)'
cpu = '$(case $arch in arm64) echo aarch64 ;; ppc64el) echo ppc64le ;; *) echo "$arch" ;; esac)'
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
	interp=$("$triple-readelf" -l "$b/tests/unit/test-threads" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	libdir=/usr/$triple/lib
	[ "$suite" = trixie ] && libdir=$root/usr/lib/$triple
	[ "$native" = 1 ] && libdir=/lib/$triple
	mkdir -p "$ir$(dirname "$interp")"
	cp -L "$libdir/$(basename "$interp")" "$ir$interp"
	for l in libc.so.6 libm.so.6 libgcc_s.so.1; do
		[ -e "$libdir/$l" ] && cp -L "$libdir/$l" "$ir/lib/"
		[ -e "/usr/$triple/lib/$l" ] && [ ! -e "$ir/lib/$l" ] && cp -L "/usr/$triple/lib/$l" "$ir/lib/"
	done
	cp -L "$root/usr/lib/$triple/libcmocka.so.0" "$ir/lib/"
	cp -L "$root/usr/lib/$triple/libsodium.so.23" "$ir/lib/"
	cp -L "$b/lib/libvgetrandom.so.0" "$ir/lib/"
	for t in tests/api/test-contract tests/unit/test-threads tests/unit/test-fork \
	         tests/unit/test-signals tests/unit/test-generator tests/unit/test-faults \
	         tests/unit/test-vdso-lookup tests/unit/test-chacha-kat \
	         tests/unit/test-chacha-sodium tests/api/test-insecure-refused \
	         tests/api/test-storms tests/api/test-libc-names tools/vgetrandom; do
		[ -e "$b/$t" ] && cp "$b/$t" "$ir/t/"
	done
	cp "$src/tests/guest/guest-init.sh" "$ir/init"
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$dir/initramfs.gz"

	boot_guest
	t1=$(date +%s)
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
		if [ "$hung" = 1 ]; then
			echo "$arch: twice the guest did not reach /init in ${boot_limit}s; last lines:"
		else
			echo "$arch: the guest did not finish (qemu exit $qrc); last lines:"
		fi
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
