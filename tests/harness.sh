#!/bin/sh
# The reliability and security harness, run by tests/run.sh after the plain
# suite (VGR_SKIP_HARNESS=1 skips it):
#   asan      a build with ASan+UBSan, the suite under `--setup sanitize`
#   tsan      a build with TSan: threads, fork, signals, generator, faults
#   debian-flags  a build with dpkg-buildflags' hardening flags: contract,
#             ABI, drop-in, docs and ChaCha suites
#   dist      `meson dist`, then the tarball built and tested outside git
#   valgrind  the main build's programs under memcheck (`--setup valgrind`;
#             valgrind hides the vDSO, so this runs the userspace generator)
#   fuzz      libFuzzer on the vDSO ELF parser, seeded with the real vDSO
#   musl      the library, the ChaCha tests and the examples built with musl-gcc
#   rngtest   FIPS 140-2 failure rates of >= 20 MB from every backend and
#             ChaCha kernel, against /dev/urandom's in the same run
#   dieharder a subset of dieharder -g 200 on two backends (tests/dieharder.sh)
# Every step appends meson-style result lines to $results (one JSON object
# per line with a "result" field), which tests/run.sh counts.
#
# usage: harness.sh BUILDDIR RESULTS_FILE
set -u
build=$1
results=$2
src=$(cd "$(dirname "$0")/.." && pwd)
rc=0

record_stage=harness
. "$src/tests/record.sh"

meson_step() { # NAME BUILDDIR TESTLOG MESON-TEST-ARGS... : record each test of the run
	name=$1 dir=$2 log="$2/meson-logs/$3"
	shift 3
	rm -f "$log"
	meson test -C "$dir" --print-errorlogs "$@" >"$dir/harness-$name.log" 2>&1
	step_rc=$?
	[ -f "$log" ] && python3 - "$log" "$name" "$results" <<'PY'
import json, sys
path, name, out = sys.argv[1:]
with open(out, "a") as o:
    for line in open(path):
        r = json.loads(line)
        o.write(json.dumps({"name": f"{name}/{r['name']}", "result": r["result"]}) + "\n")
PY
	grep -E '^(Ok|Fail|Skipped|Timeout):' "$dir/harness-$name.log" | tr '\n' ' ' | sed "s/^/harness\/$name: /"
	echo
	[ $step_rc = 0 ] || { tail -40 "$dir/harness-$name.log"; rc=1; }
}

# --- sanitizers ---
for san in asan tsan; do
	dir="$build-$san"
	case $san in
	asan) opt="address,undefined"; suites="" ;;
	tsan) opt="thread"; suites="--suite threads --suite fork --suite signals --suite generator --suite faults --suite contract" ;;
	esac
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" -Db_sanitize=$opt -Db_lundef=false -Dbench=disabled \
			-Dexamples=disabled --werror >"$dir.setup.log" 2>&1 || { record "$san-build" FAIL; continue; }
	fi
	if meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
		# shellcheck disable=SC2086
		meson_step "$san" "$dir" testlog-sanitize.json --setup sanitize $suites
	else
		tail -20 "$dir.compile.log"
		record "$san-build" FAIL
	fi
done

# --- Debian's build flags ---
# As a Debian package would be built (dpkg-buildflags, hardening=+all:
# -fstack-protector-strong, _FORTIFY_SOURCE=2, -z relro -z now, format
# security errors), the contract, ABI, drop-in, documentation and ChaCha
# suites.
if command -v dpkg-buildflags >/dev/null 2>&1; then
	dir="$build-debian-flags"
	rm -rf "$dir"
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all
	if CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
	   LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
	   meson setup "$dir" --werror --buildtype=plain -Dbench=disabled -Dexamples=enabled \
	           -Dtests=enabled >"$dir.setup.log" 2>&1 &&
	   meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
		meson_step debian-flags "$dir" testlog.json --suite contract --suite abi \
			--suite chacha --suite hygiene --suite generator --suite docs --suite dropin
	else
		tail -20 "$dir.setup.log" "$dir.compile.log" 2>/dev/null
		record debian-flags-build FAIL
	fi
	unset DEB_BUILD_MAINT_OPTIONS
else
	record debian-flags SKIP "(no dpkg-buildflags)"
fi

# --- the release tarball ---
# `meson dist` (what a release is made with) from the committed tree, then
# that tarball unpacked outside git, configured, built and put through the
# quick suites: nothing the build needs may be missing from it.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	ddir=$(mktemp -d)
	if meson dist -C "$build" --no-tests --allow-dirty --formats gztar >"$ddir/dist.log" 2>&1; then
		tarball=$(ls "$build"/meson-dist/*.tar.gz | head -1)
		tar -C "$ddir" -xzf "$tarball"
		tree=$(ls -d "$ddir"/libvgetrandom-*/)
		if meson setup "$ddir/b" "$tree" --werror -Dtests=enabled -Dbench=disabled \
		        -Dexamples=enabled >"$ddir/setup.log" 2>&1 &&
		   meson compile -C "$ddir/b" >"$ddir/compile.log" 2>&1; then
			meson_step dist "$ddir/b" testlog.json --suite contract --suite chacha \
				--suite abi --suite generator
			echo "harness/dist: $(basename "$tarball"), built and tested outside git"
		else
			tail -20 "$ddir/setup.log" "$ddir/compile.log"
			record dist-build FAIL
		fi
	else
		tail -20 "$ddir/dist.log"
		record dist FAIL
	fi
	rm -rf "$ddir"
else
	record dist SKIP "(not a git checkout: meson dist needs one)"
fi

# --- valgrind ---
if command -v valgrind >/dev/null 2>&1; then
	meson_step valgrind "$build" testlog-valgrind.json --setup valgrind
else
	record valgrind SKIP "(not installed)"
fi

# --- libFuzzer on the ELF parser ---
fuzz_dir="$build-fuzz"
mkdir -p "$fuzz_dir/corpus"
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$src/lib" "$src/tests/unit/fuzz/fuzz_vdso_lookup.c" "$src/lib/vdso_lookup.c" \
	-o "$fuzz_dir/fuzz_vdso_lookup" 2>"$fuzz_dir/build.log"; then
	FUZZ_DUMP_VDSO="$fuzz_dir/corpus/real-vdso" "$fuzz_dir/fuzz_vdso_lookup" >/dev/null 2>&1
	secs=${VGR_FUZZ_SECONDS:-60}
	if "$fuzz_dir/fuzz_vdso_lookup" -max_total_time="$secs" -max_len=16384 -timeout=10 \
		-print_final_stats=1 "$fuzz_dir/corpus" >"$fuzz_dir/run.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$fuzz_dir/run.log")
		record fuzz-vdso-parser OK "($runs inputs in ${secs}s, seeded with the real vDSO)"
	else
		tail -30 "$fuzz_dir/run.log"
		record fuzz-vdso-parser FAIL
	fi
else
	cat "$fuzz_dir/build.log"
	record fuzz-vdso-parser SKIP "(clang with libFuzzer not available)"
fi

# --- musl ---
if command -v musl-gcc >/dev/null 2>&1; then
	dir="$build-musl"
	rm -rf "$dir" # a reconfigure would not keep PKG_CONFIG_LIBDIR
	if [ ! -f "$dir/build.ninja" ]; then
		# No pkg-config: glibc's cmocka and friends must not leak into a
		# musl build; the standalone tests and the examples remain.
		CC=musl-gcc PKG_CONFIG_LIBDIR=/nonexistent meson setup "$dir" --werror \
			-Dtests=auto -Dbench=disabled -Dexamples=enabled >"$dir.setup.log" 2>&1 ||
			{ tail -20 "$dir.setup.log"; record musl-build FAIL; }
	fi
	if [ -f "$dir/build.ninja" ] && meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
		# (the preload example would put a musl library into glibc's python)
		meson_step musl "$dir" testlog.json chacha-kat example-uuid4 example-password example-libc-names
		if readelf -l "$dir/examples/uuid4" | grep -q 'ld-musl'; then
			record musl-linked OK "(examples run with musl's dynamic loader)"
		else
			record musl-linked FAIL "(examples not linked against musl)"
		fi
		# A static musl program with the musl-built archive.
		want=$("$build/tools/vgetrandom" info | sed -n 's/^backend: *//p')
		if musl-gcc -static -O2 -I"$src/include" -o "$dir/static_user" \
		        "$src/tests/api/static_user.c" "$dir/lib/libvgetrandom.a" \
		        >"$dir.static.log" 2>&1 &&
		   out=$(sh "$src/tests/api/check-static-user.sh" "$dir/static_user" "$want"); then
			record musl-static OK "($out)"
		else
			cat "$dir.static.log"
			echo "$out"
			record musl-static FAIL
		fi
	elif [ -f "$dir/build.ninja" ]; then
		tail -20 "$dir.compile.log"
		record musl-build FAIL
	fi
else
	record musl SKIP "(musl-tools not installed)"
fi

# --- statistics ---
cmd="$build/tools/vgetrandom"
if command -v rngtest >/dev/null 2>&1; then
	fips_failures() { rngtest 2>&1 | sed -n 's/.*FIPS 140-2 failures: *//p'; }
	base=$(head -c 20971520 /dev/urandom | fips_failures)
	echo "rngtest: /dev/urandom 20 MiB: $base FIPS 140-2 failures of 8388 blocks"
	# Expected ~0.08% of blocks (about 6.7); a gross defect fails most of
	# them.  Bound: max(30, 3x /dev/urandom's), a chance excess of 30 is
	# below 1e-10.
	limit=$((base * 3 > 30 ? base * 3 : 30))
	for spec in auto:auto vdso:auto hybrid:auto syscall:auto chacha:portable chacha:sse2 \
		chacha:avx2 chacha:avx512vl chacha:avx512 chacha:neon; do
		backend=${spec%%:*} kernel=${spec#*:}
		got=$(VGETRANDOM_BACKEND=$backend VGETRANDOM_CHACHA=$kernel "$cmd" info 2>/dev/null | sed -n 's/^backend: *//p')
		case $backend:$kernel:$got in
		chacha:*:chacha-"$kernel") ;;
		chacha:*) continue ;; # a kernel this CPU cannot run
		esac
		n=$(VGETRANDOM_BACKEND=$backend VGETRANDOM_CHACHA=$kernel "$cmd" bytes 20M | fips_failures)
		if [ -n "$n" ] && [ "$n" -le "$limit" ]; then
			record "rngtest-$backend:$got" OK "($n failures of 8388 blocks; /dev/urandom $base)"
		else
			record "rngtest-$backend:$got" FAIL "(${n:-no result} failures; limit $limit)"
		fi
	done
else
	record rngtest SKIP "(rng-tools5 not installed)"
fi

for backend in auto chacha; do
	name=$(VGETRANDOM_BACKEND=$backend "$cmd" info | sed -n 's/^backend: *//p')
	out=$(sh "$src/tests/dieharder.sh" env VGETRANDOM_BACKEND=$backend "$cmd" bytes 64G)
	case $? in
	0) record "dieharder-$name" OK "($out)" ;;
	77) record dieharder SKIP "(not installed)"; break ;;
	*) echo "$out"; record "dieharder-$name" FAIL ;;
	esac
done

exit $rc
