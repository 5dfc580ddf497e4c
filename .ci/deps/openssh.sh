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
# The package must not start its own sshd on port 22: the test starts one
# on a free port.
APT_NO_START=1 exec bash "$(dirname "$0")/../apt-install" openssh.sh "the SSH drop test" openssh-server openssh-client
