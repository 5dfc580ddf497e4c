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
exec bash "$(dirname "$0")/../apt-install" sqlite3.sh "the random-kill soak" sqlite3
