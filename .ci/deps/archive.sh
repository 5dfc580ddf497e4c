#!/usr/bin/env bash
# Test peer of the archive: Debian's age (age, age-keygen), which the
# interop tests run against what zenrecover writes and reads. tar and
# ssh-keygen are used too when present. Without age (offline, not Debian,
# not root) those tests skip and say why; .ci/run carries on.
set -uo pipefail

if command -v age >/dev/null 2>&1 && command -v age-keygen >/dev/null 2>&1; then
	exit 0
fi
exec bash "$(dirname "$0")/../apt-install" archive.sh "the age interop tests" age
