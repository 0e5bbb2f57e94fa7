# What each command installs (Debian/Ubuntu packages) and how it configures
# its build, named once.  Sourced by tests/run.sh, bench/run.sh and
# tests/fresh/fresh.sh, whose roots hold exactly these lists (and no
# Recommends: gcc only recommends libc6-dev), so a build that reads a
# header no list names fails there even when this machine has it.

# What the native build of the test command reads (meson setup with
# -Dtests, -Dbench and -Dexamples enabled, then meson compile).
vgr_test_build_pkgs="meson ninja-build gcc g++ libc6-dev pkg-config python3 libcmocka-dev libsodium-dev systemtap-sdt-dev"
# What the native suite runs besides the build.
vgr_test_tool_pkgs="strace uuid-runtime openssh-client abigail-tools cmake bpftrace"
# bench/run.sh: its release build and its comparators.
vgr_bench_pkgs="meson ninja-build gcc libc6-dev pkg-config libsodium-dev libssl-dev libbsd-dev liburing-dev gnuplot-nox systemtap-sdt-dev strace"
# bench/run.sh's applications stage (bench/apps.sh): the timer and the
# programs it times.  openssh-server is there for one sshd on 127.0.0.1,
# started and stopped by the stage (Debian enables its ssh service on
# install where systemd runs).
vgr_bench_apps_pkgs="hyperfine python3 uuid-runtime coreutils bash openssh-client openssh-server openssl"
# The least a build with tests needs: every optional dependency (liburing,
# libcrypto, libsodium, <sys/sdt.h>, a C++ compiler) absent.
vgr_minimal_pkgs="meson ninja-build gcc libc6-dev pkg-config libcmocka-dev"

# The Meson options of each command's build.
vgr_test_setup="--werror --fatal-meson-warnings -Dtests=enabled -Dexamples=enabled -Dbench=enabled"
vgr_bench_setup="--buildtype=release -Dtests=disabled -Dexamples=disabled -Dbench=enabled"
