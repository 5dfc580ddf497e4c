#!/usr/bin/env bash
# Builds a zenrecover release into dist/: static, reproducible binaries for
# the servers zenrecover runs on, its manual pages, and SHA256SUMS.
#
#   release/build.sh [VERSION]
#
#   dist/zenrecover-VERSION-linux-amd64
#   dist/zenrecover-VERSION-windows-amd64.exe
#   dist/zenrecover-VERSION-man.tar.gz      man1/zenrecover*.1, for /usr/local/share/man
#   dist/SHA256SUMS                         `sha256sum -c SHA256SUMS` checks them
#
# VERSION is the first argument, else `git describe --tags --always --dirty`,
# else "dev". Building the same tree twice gives the same bytes, wherever it
# lies and whatever the Go build cache holds (.ci/release-check proves it):
# CGO_ENABLED=0 (static: nothing of the server's libc is needed), -trimpath
# (no path of this machine), -buildid= (no build id from the cache), no VCS
# stamp (GOFLAGS is set here, to -buildvcs=false alone); instead -ldflags -X
# stamps the version, the commit and the commit's date, which `zenrecover
# version` shows. The same Go version must build it: `go version -m` on a
# binary names the one that did.
#
# Environment:
#   DIST               where to write (default: dist/ at the top of the repo)
#   TARGETS            what to build (default: "linux/amd64 windows/amd64")
#   ZENRECOVER_COMMIT  the commit to stamp (default: git rev-parse HEAD, else none)
#   SOURCE_DATE_EPOCH  the date to stamp, in seconds (default: the commit's
#                      date, else the newest file's modification time)
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
top=$PWD

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || true)}
version=${version:-dev}
# The version goes into file names and into -ldflags, which splits on spaces.
if ! [[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]]; then
	echo "release: version \"$version\": use letters, digits and . _ + - only (e.g. v1.4.0)" >&2
	exit 2
fi
commit=${ZENRECOVER_COMMIT-$(git rev-parse HEAD 2>/dev/null || true)}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || true)}
if [ -z "$epoch" ]; then
	epoch=$(find . -path ./dist -prune -o -path ./.git -prune -o -type f -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1)
fi
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$epoch" +%Y-%m-%dT%H:%M:%SZ)
dist=${DIST:-$top/dist}
targets=${TARGETS:-linux/amd64 windows/amd64}

ldflags="-s -w -buildid= -X zenrecover/cli.stampedVersion=$version -X zenrecover/cli.stampedCommit=$commit -X zenrecover/cli.stampedDate=$date"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOAMD64=v1 SOURCE_DATE_EPOCH=$epoch

mkdir -p "$dist"
rm -f "$dist"/zenrecover-"$version"-* "$dist"/SHA256SUMS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "release: zenrecover $version (commit ${commit:-none}, $date), $(go env GOVERSION), into $dist"
failed=()
for t in $targets; do
	os=${t%/*} arch=${t#*/}
	out=$dist/zenrecover-$version-$os-$arch
	[ "$os" = windows ] && out=$out.exe
	echo "release: building $os/$arch"
	if ! GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out" .; then
		rm -f "$out"
		echo "release: FAILED: zenrecover does not build for $os/$arch (the errors are above)" >&2
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "release: FAILED: no release: ${failed[*]} did not build; nothing in $dist is to be shipped." >&2
	built=()
	for t in $targets; do [[ " ${failed[*]} " == *" $t "* ]] || built+=("$t"); done
	if [ ${#built[@]} -gt 0 ]; then
		echo "release: to release the others alone: TARGETS=\"${built[*]}\" release/build.sh $version" >&2
	fi
	exit 1
fi

# The manual pages, drawn by this version for the machine building it.
echo "release: manual pages"
go build -trimpath -ldflags "$ldflags" -o "$tmp/zenrecover" .
mkdir -p "$tmp/man"
"$tmp/zenrecover" man -o "$tmp/man/man1" 2>/dev/null
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode='a+rX,u+w,go-w' \
	--format=gnu -C "$tmp/man" -cf - man1 | gzip -9n >"$dist/zenrecover-$version-man.tar.gz"

(cd "$dist" && sha256sum zenrecover-"$version"-* >SHA256SUMS)
echo "release: done:"
(cd "$dist" && ls -l zenrecover-"$version"-* SHA256SUMS && cat SHA256SUMS)
