#!/usr/bin/env bash
# Cold hashing of many files: Waybill's ChecksumCache.ComputeMany (a new, empty stat cache each pass; the files in
# the page cache) against md5sum, sha256sum and (when installed) xxhsum on the same files, two processes at a time
# (`find … -print0 | xargs -0 -P2`, the fair peer on 2 cores) and as one process. Checks that the digests agree.
#
# Usage:  bench/scripts/hash-tree-vs-coreutils.sh [FOLDER] [FILES] [TOTAL_MIB]
#   FOLDER     the files to hash (default /var/tmp/waybill-bench/hash-tree); generated (random bytes, FILES files of
#              equal size) unless it already holds exactly FILES files totalling TOTAL_MIB
#   FILES      number of files (default 10000)
#   TOTAL_MIB  their total size (default 1024)
# Environment:
#   ARTIFACTS  build output folder for `dotnet build --artifacts-path` (default /tmp/benchart)
#   BENCH_DLL  a built Waybill.Benchmarks.dll to use instead of building bench/Waybill.Benchmarks
#   RUNS       timed passes per tool (default 5, best one kept, after one warm-up pass)
#   PARALLEL   threads for Waybill and processes for xargs -P (default 2)
#
# Waybill's figures are measured inside one process (`Waybill.Benchmarks.dll hash-tree FOLDER ALGO PARALLEL RUNS`:
# best pass, no runtime start-up), except the ", process" row: the whole command, start-up and folder listing
# included. A coreutils figure is the best wall time of the whole pipeline (find, xargs and every md5sum process).
# Measure on an idle machine: the load average is printed before and after.
set -euo pipefail

folder="${1:-/var/tmp/waybill-bench/hash-tree}"
files="${2:-10000}"
total_mib="${3:-1024}"
runs="${RUNS:-5}"
parallel="${PARALLEL:-2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
dll="${BENCH_DLL:-$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll}"

if [ -z "${BENCH_DLL:-}" ]; then
  echo "building bench/Waybill.Benchmarks (Release) into $artifacts ..."
  dotnet build "$root/bench/Waybill.Benchmarks" -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
fi
[ -f "$dll" ] || { echo "no Waybill.Benchmarks.dll at $dll" >&2; exit 1; }

mkdir -p "$folder"
folder="$(cd "$folder" && pwd)"
total=$((total_mib * 1024 * 1024))
have_files=$(find "$folder" -type f | wc -l)
have_bytes=$(find "$folder" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
if [ "$have_files" -ne "$files" ] || [ "$have_bytes" -ne "$total" ]; then
  [ "$have_files" -eq 0 ] || { echo "$folder holds $have_files files ($have_bytes bytes), not $files files of $total bytes; give an empty or new folder" >&2; exit 1; }
  echo "creating $files files of $((total / files)) bytes in $folder ..."
  head -c "$total" /dev/urandom > "$folder.all"
  (cd "$folder" && split -n "$files" -a 5 -d "$folder.all" f)
  rm -f "$folder.all"
fi
# Into the page cache; xargs packs 500 files per md5sum so that -P has batches to share out.
find "$folder" -type f -print0 | xargs -0 cat > /dev/null
echo "machine: $(nproc) cores; $files files, $total bytes in $folder on $(df -T "$folder" | awk 'NR==2 {print $2}') (page cache)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Best wall time of a shell command over RUNS passes, after one warm-up pass.
best_of() {
  local best="" start end t i
  bash -c "$1" >/dev/null
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N); bash -c "$1" >/dev/null; end=$(date +%s%N)
    t=$((end - start))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  awk -v t="$best" 'BEGIN { printf "%.5f", t / 1e9 }'
}
# Seconds of a Waybill pass: `hash-tree … seconds=S gbps=G`.
waybill_seconds() { dotnet "$dll" hash-tree "$folder" "$1" "$2" "$runs" | sed 's/.*seconds=\([0-9.]*\).*/\1/'; }

declare -a names=()
declare -A secs=()
add() { names+=("$1"); secs["$1"]="$2"; }
add "waybill xxh128 -P$parallel" "$(waybill_seconds xxh128 "$parallel")"
add "waybill xxh128 1 thread" "$(waybill_seconds xxh128 1)"
add "waybill sha256 -P$parallel" "$(waybill_seconds sha256 "$parallel")"
# The same as a whole command, like the coreutils rows: runtime start-up, listing the folder, one pass.
add "waybill xxh128 -P$parallel, process" "$(best_of "dotnet '$dll' hash-tree '$folder' xxh128 $parallel 0")"
add "waybill sha256 1 thread" "$(waybill_seconds sha256 1)"
for tool in md5sum sha256sum; do
  add "$tool -P$parallel" "$(best_of "find '$folder' -type f -print0 | xargs -0 -n 500 -P$parallel $tool")"
  add "$tool 1 process" "$(best_of "find '$folder' -type f -print0 | xargs -0 $tool")"
done
if command -v xxhsum >/dev/null; then
  add "xxhsum -H128 -P$parallel" "$(best_of "find '$folder' -type f -print0 | xargs -0 -n 500 -P$parallel xxhsum -q -H2")"
  add "xxhsum -H128 1 process" "$(best_of "find '$folder' -type f -print0 | xargs -0 xxhsum -q -H2")"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

base="${secs[waybill xxh128 -P$parallel]}"
printf '\n%-28s %10s %10s %24s\n' "tool" "seconds" "GB/s" "time / waybill xxh128"
for name in "${names[@]}"; do
  awk -v n="$name" -v s="${secs[$name]}" -v b="$total" -v base="$base" 'BEGIN { printf "%-28s %10.4f %10.2f %23.2fx\n", n, s, b / s / 1e9, s / base }'
done
echo
ratio() { awk -v a="${secs[$1]}" -v b="${secs[$2]}" -v text="$3" 'BEGIN { printf "%s: %.2fx the time\n", text, a / b }'; }
ratio "md5sum -P$parallel" "waybill xxh128 -P$parallel" "md5sum -P$parallel vs waybill xxh128 -P$parallel"
ratio "md5sum 1 process" "waybill xxh128 1 thread" "md5sum (1 process) vs waybill xxh128 (1 thread)"
ratio "sha256sum -P$parallel" "waybill sha256 -P$parallel" "sha256sum -P$parallel vs waybill sha256 -P$parallel"
ratio "sha256sum 1 process" "waybill sha256 1 thread" "sha256sum (1 process) vs waybill sha256 (1 thread)"

# The digests must agree file by file.
listed="$(mktemp)"; theirs="$(mktemp)"
trap 'rm -f "$listed" "$theirs"' EXIT
dotnet "$dll" hash-tree "$folder" sha256 "$parallel" 0 --list "$listed" >/dev/null
find "$folder" -type f -print0 | xargs -0 sha256sum | LC_ALL=C sort -k2 > "$theirs"
LC_ALL=C sort -k2 -o "$listed" "$listed"
cmp -s "$listed" "$theirs" && echo "sha256 digests of all $files files match sha256sum" || echo "sha256 digests DIFFER from sha256sum"
if command -v xxhsum >/dev/null; then
  dotnet "$dll" hash-tree "$folder" xxh128 "$parallel" 0 --list "$listed" >/dev/null
  find "$folder" -type f -print0 | xargs -0 xxhsum -q -H2 | LC_ALL=C sort -k2 > "$theirs"
  LC_ALL=C sort -k2 -o "$listed" "$listed"
  cmp -s "$listed" "$theirs" && echo "xxh128 digests of all $files files match xxhsum -H128" || echo "xxh128 digests DIFFER from xxhsum -H128"
fi
