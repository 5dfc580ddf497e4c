#!/usr/bin/env bash
# Test peer of the archive: Debian's age (age, age-keygen), which the
# interop tests run against what zenrecover writes and reads. tar and
# ssh-keygen are used too when present. Without age (offline, not Debian,
# not root) those tests skip and say why; .ci/run carries on.
set -uo pipefail

if command -v age >/dev/null 2>&1 && command -v age-keygen >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "archive.sh: no apt-get here; the age interop tests will skip" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "archive.sh: not root and no sudo; the age interop tests will skip" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || { echo "archive.sh: apt-get update failed (offline?)" >&2; exit 1; }
$sudo apt-get install -y -qq --no-install-recommends age >/dev/null ||
	{ echo "archive.sh: could not install age" >&2; exit 1; }
