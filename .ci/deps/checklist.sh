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
exec bash "$(dirname "$0")/../apt-install" checklist.sh "the PDF checklist test" chromium poppler-utils fonts-dejavu-core
