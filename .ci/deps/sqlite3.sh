#!/usr/bin/env bash
# Test peer of the random-kill soak (soak_e2e_test.go): Debian's sqlite3
# runs `PRAGMA integrity_check` on the state database after every kill, so
# the check does not rest on zenrecover's own SQLite driver. Without it
# (offline, not Debian, not root) the soak skips and says why; .ci/run
# carries on.
set -uo pipefail

if command -v sqlite3 >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "sqlite3.sh: no apt-get here; the random-kill soak will skip" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "sqlite3.sh: not root and no sudo; the random-kill soak will skip" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || { echo "sqlite3.sh: apt-get update failed (offline?)" >&2; exit 1; }
$sudo apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null ||
	{ echo "sqlite3.sh: could not install sqlite3" >&2; exit 1; }
