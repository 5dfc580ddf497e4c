#!/usr/bin/env bash
# Benchmark of `zenrecover archive create` against `tar -cf - SRC | age -r KEY
# > DEST` and `cp -a SRC DEST` (the machine's copy limit), on the same disk in
# one run: a tree of many small files, then a tree of a few large files. It
# prints the median times, the two ratios (zenrecover's time over theirs:
# below 1 is faster) and zenrecover's peak memory.
#
#   bench/archive.sh                                      # small: a few minutes on 2 cores
#   SMALL_FILES=200000 BIG_FILES=3 BIG_MB=2048 bench/archive.sh
#
# Settings, from the environment:
#   BENCH_DIR    where the trees and copies go: on the disk to measure
#                (default: a new folder under /var/tmp)
#   SMALL_FILES  files in the small tree (20000), spread over 256 folders
#   SMALL_KB     their mean size in KiB (8)
#   BIG_FILES    files in the large tree (2)
#   BIG_MB       their size in MiB (256)
#   RUNS         runs of each command; medians are reported (3)
#   KEEP=1       keep BENCH_DIR afterwards
#
# Every timed command ends with `sync`, so each pays for getting its bytes to
# the disk (zenrecover syncs each part itself). Before each, the last copy is
# deleted and the disk given SETTLE seconds (3) to finish with it, and each
# run starts with another command. The trees are read from the page cache,
# warm for all three. Needs age and age-keygen (Debian: age).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
SMALL_FILES=${SMALL_FILES:-20000}
SMALL_KB=${SMALL_KB:-8}
BIG_FILES=${BIG_FILES:-2}
BIG_MB=${BIG_MB:-256}
RUNS=${RUNS:-3}

for c in age age-keygen tar cp go; do
	command -v "$c" >/dev/null || { echo "bench: needs $c (Debian: apt-get install age)" >&2; exit 2; }
done
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/zenrecover-bench.XXXXXX)}
mkdir -p "$dir"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$dir"' EXIT

echo "== building zenrecover"
(cd "$repo" && go build -o "$dir/zenrecover" .)
zr=$dir/zenrecover
age-keygen -o "$dir/key.txt" 2>/dev/null
rec=$(age-keygen -y "$dir/key.txt")

echo "== making the trees in $dir"
small=$dir/small
rm -rf "$small" && mkdir -p "$small"
per=$(( (SMALL_FILES + 255) / 256 ))
for i in $(seq 0 255); do
	d=$(printf '%s/%02x' "$small" "$i")
	mkdir "$d"
	# Two sizes around the mean, so that files are not all alike.
	size=$(( i % 2 == 0 ? SMALL_KB * 1024 / 2 : SMALL_KB * 1024 * 3 / 2 ))
	head -c $(( per * size )) /dev/urandom | split -b "$size" -a 5 - "$d/f"
done
big=$dir/big
rm -rf "$big" && mkdir -p "$big/images"
for i in $(seq 1 "$BIG_FILES"); do
	head -c $(( BIG_MB * 1024 * 1024 )) /dev/urandom >"$big/images/image$i.zmg"
done
sync

now() { date +%s.%N; }

# settle removes the last copy and waits for the disk to finish with it:
# the deletion's journal and discards must not be billed to the next
# command.
settle() {
	rm -rf "$dir/out"*
	sync
	sleep "${SETTLE:-3}"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# peak_kb CMD...: runs CMD, prints its peak resident memory in KiB to fd 3.
peak_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$dir/rss" "$@"
		cat "$dir/rss" >&3
	else
		"$@" &
		local pid=$! hwm=0 v
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
			[ -n "$v" ] && hwm=$v
			sleep 0.05
		done
		wait "$pid"
		echo "$hwm" >&3
	fi
}

bench_tree() {
	local name=$1 src=$2 out=$dir/out
	local files bytes
	files=$(find "$src" -type f | wc -l)
	bytes=$(du -sb "$src" | cut -f1)
	echo "== $name: $files files, $(( bytes / 1024 / 1024 )) MiB; $RUNS runs each"
	: >"$dir/t.tar" ; : >"$dir/t.cp" ; : >"$dir/t.zr" ; : >"$dir/rss.zr"
	local order=(tar cp zr) run i tool
	for run in $(seq 1 "$RUNS"); do
		# Each run starts with another command: whatever comes after
		# deleting cp's copy of many files finds the disk still busy.
		for i in 0 1 2; do
			tool=${order[$(( (i + run) % 3 ))]}
			settle
			s=$(now)
			case $tool in
			tar) tar -C "$src" -cf - . | age -r "$rec" >"$out.tar.age" ;;
			cp) cp -a "$src" "$out.cp" ;;
			zr) peak_kb "$zr" archive create "$src" "$out.zr" -r "$rec" --plain >/dev/null 2>"$dir/zr.err" 3>>"$dir/rss.zr" ;;
			esac
			sync
			e=$(now)
			echo "$e - $s" | bc >>"$dir/t.$tool"
		done
	done
	settle
	"$zr" archive create "$src" "$out.zr" -r "$rec" --plain >/dev/null 2>&1
	s=$(now); "$zr" archive verify "$out.zr" -i "$dir/key.txt" --plain >/dev/null 2>&1; e=$(now)
	local tv ta tc tz rss
	tv=$(echo "$e - $s" | bc)
	ta=$(median <"$dir/t.tar"); tc=$(median <"$dir/t.cp"); tz=$(median <"$dir/t.zr")
	rss=$(sort -n "$dir/rss.zr" | tail -1)
	rm -rf "$out"*; sync
	printf '%-28s %8.2f s %9.1f MiB/s\n' "tar -cf - | age -r" "$ta" "$(echo "$bytes / $ta / 1048576" | bc -l)"
	printf '%-28s %8.2f s %9.1f MiB/s\n' "cp -a" "$tc" "$(echo "$bytes / $tc / 1048576" | bc -l)"
	printf '%-28s %8.2f s %9.1f MiB/s   peak memory %d MiB\n' "zenrecover archive create" "$tz" "$(echo "$bytes / $tz / 1048576" | bc -l)" $(( rss / 1024 ))
	printf '%-28s %8.2f s\n' "zenrecover archive verify" "$tv"
	printf 'ratio zenrecover / tar|age:  %.2f   (below 1: faster)\n' "$(echo "$tz / $ta" | bc -l)"
	printf 'ratio zenrecover / cp -a:    %.2f\n' "$(echo "$tz / $tc" | bc -l)"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory, $(df -h --output=source,fstype,size "$dir" | tail -1 | tr -s ' ')"
bench_tree "many small files" "$small"
bench_tree "a few large files" "$big"
