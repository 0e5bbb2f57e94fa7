# Sourced by tests/run.sh and bench/run.sh: make sure the Debian/Ubuntu
# packages named as arguments are installed.  As root, install what is
# missing; otherwise print the exact apt-get line and stop.
ensure_deps() {
	missing=""
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
			missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return 0
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "Missing packages:$missing (install their equivalents for your system)" >&2
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "Missing packages. Run:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
	echo "Installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq$missing >&2
}
