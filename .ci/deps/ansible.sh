#!/usr/bin/env bash
# Test peer of the fleet tests (runner/ansible_test.go, issue 16): Debian's
# ansible (ansible-playbook, ansible-core and the collections, among them
# ansible.posix, whose json callback the import reads) and python3-pexpect
# (ansible.builtin.expect, which types a step's answers into the command's
# prompts on each device). The tests run against inventory hosts on this
# machine (ansible_connection=local). Without them the Ansible tests skip
# and say why; the inventory, playbook and result import are still tested.
set -uo pipefail

if command -v ansible-playbook >/dev/null 2>&1 && /usr/bin/python3 -c 'import pexpect' >/dev/null 2>&1; then
	exit 0
fi
exec bash "$(dirname "$0")/../apt-install" ansible.sh "the Ansible fleet tests" ansible python3-pexpect
