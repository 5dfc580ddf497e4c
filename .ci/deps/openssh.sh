#!/usr/bin/env bash
# Test peers of the dropped-SSH-session test: Debian's openssh-server (sshd,
# started by the test itself on a free loopback port with a throwaway host
# key) and openssh-client (ssh, ssh-keygen). The package's own service is
# not started. Without them (offline, not Debian, not root) that test skips
# and says why; .ci/run carries on.
set -uo pipefail

if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "openssh.sh: no apt-get here; the SSH drop test will skip" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "openssh.sh: not root and no sudo; the SSH drop test will skip" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# Keep the package from starting its own sshd on port 22 (Debian's
# invoke-rc.d asks policy-rc.d; 101 means "not now"), unless a policy is
# already in place.
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && ours=1
fi
cleanup() { [ -n "$ours" ] && $sudo rm -f "$policy"; }
trap cleanup EXIT
$sudo apt-get update -qq >/dev/null || { echo "openssh.sh: apt-get update failed (offline?)" >&2; exit 1; }
$sudo apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null ||
	{ echo "openssh.sh: could not install openssh-server and openssh-client" >&2; exit 1; }
