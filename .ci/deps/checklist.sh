#!/usr/bin/env bash
# Test peers of the printable checklist: headless Chromium prints the HTML
# checklist to PDF, poppler-utils (pdftotext, pdftoppm) reads it back.
# Debian's own packages, nothing downloaded by hand. Without them (offline,
# not Debian, not root) the PDF test skips and says why; .ci/run carries on.
set -uo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
	if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
		exit 0
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "checklist.sh: no apt-get here; the PDF checklist test will skip" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "checklist.sh: not root and no sudo; the PDF checklist test will skip" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || { echo "checklist.sh: apt-get update failed (offline?)" >&2; exit 1; }
$sudo apt-get install -y -qq --no-install-recommends chromium poppler-utils fonts-dejavu-core >/dev/null ||
	{ echo "checklist.sh: could not install chromium and poppler-utils" >&2; exit 1; }
