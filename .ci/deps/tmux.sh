#!/usr/bin/env bash
# Test peer of the wizard's end-to-end tests in a real terminal (e2e/
# tmux_*_test.go): Debian's tmux runs the binary at 80x24 and reads the
# screen back, as an operator would see it. Without it (offline, not
# Debian, not root) those tests skip and say why; the same rules are
# tested through the model's Update in tui/. .ci/run carries on.
set -uo pipefail

if command -v tmux >/dev/null 2>&1; then
	exit 0
fi
exec bash "$(dirname "$0")/../apt-install" tmux.sh "the tmux end-to-end tests" tmux
