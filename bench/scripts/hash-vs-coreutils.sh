#!/usr/bin/env bash
# Hashing throughput of Waybill's FileHasher (xxh128, the default manifest checksum, and sha256) against
# md5sum, sha256sum and (when installed) xxhsum, on one file read from the page cache.
#
# Usage:  bench/scripts/hash-vs-coreutils.sh [FILE] [SIZE_MIB]
#   FILE       the file to hash (default /tmp/waybill-hash-256m.bin; created with SIZE_MIB of random bytes if missing)
#   SIZE_MIB   size of a created file (default 256)
# Environment:
#   ARTIFACTS  build output folder for `dotnet build --artifacts-path` (default /tmp/benchart)
#   BENCH_DLL  a built Waybill.Benchmarks.dll to use instead of building bench/Waybill.Benchmarks
#   RUNS       timed passes per tool (default 5, best one kept, after one warm-up pass)
#
# Waybill's figure is measured inside one process (`Waybill.Benchmarks.dll hash FILE ALGO RUNS`: best pass, no
# runtime start-up); a coreutils figure is the best wall time of the whole command (its start-up is ~1 ms).
set -euo pipefail

file="${1:-/tmp/waybill-hash-256m.bin}"
size_mib="${2:-256}"
runs="${RUNS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
dll="${BENCH_DLL:-$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll}"

if [ -z "${BENCH_DLL:-}" ]; then
  echo "building bench/Waybill.Benchmarks (Release) into $artifacts ..."
  dotnet build "$root/bench/Waybill.Benchmarks" -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
fi
[ -f "$dll" ] || { echo "no Waybill.Benchmarks.dll at $dll" >&2; exit 1; }

if [ ! -f "$file" ]; then
  echo "creating $file ($size_mib MiB of random bytes) ..."
  head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$file"
fi
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null   # into the page cache
echo "machine: $(nproc) cores; $file: $bytes bytes on $(df -T "$file" | awk 'NR==2 {print $2}') (page cache)"

# Best wall time of a command over RUNS passes, after one warm-up pass.
best_of() {
  local best="" start end t i
  "$@" >/dev/null
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
    t=$((end - start))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  awk -v t="$best" 'BEGIN { printf "%.5f", t / 1e9 }'
}

read -r _ wx_s _ _ < <(dotnet "$dll" hash "$file" xxh128 "$runs" | sed 's/[a-z0-9]*=//g')
read -r _ ws_s _ _ < <(dotnet "$dll" hash "$file" sha256 "$runs" | sed 's/[a-z0-9]*=//g')
xx_digest=$(dotnet "$dll" hash "$file" xxh128 1 | sed 's/.*digest=xxh128://')
sha_digest=$(dotnet "$dll" hash "$file" sha256 1 | sed 's/.*digest=sha256://')

declare -a names=("waybill xxh128" "waybill sha256")
declare -A secs=(["waybill xxh128"]=$wx_s ["waybill sha256"]=$ws_s)
secs["md5sum"]=$(best_of md5sum "$file"); names+=("md5sum")
secs["sha256sum"]=$(best_of sha256sum "$file"); names+=("sha256sum")
if command -v xxhsum >/dev/null; then
  secs["xxhsum -H128"]=$(best_of xxhsum -q -H2 "$file"); names+=("xxhsum -H128")
fi

printf '\n%-16s %10s %10s %22s\n' "tool" "seconds" "GB/s" "time / waybill xxh128"
for name in "${names[@]}"; do
  awk -v n="$name" -v s="${secs[$name]}" -v b="$bytes" -v base="$wx_s" 'BEGIN { printf "%-16s %10.4f %10.2f %21.2fx\n", n, s, b / s / 1e9, s / base }'
done
echo
[ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sha_digest" ] && echo "sha256 digest matches sha256sum" || echo "sha256 digest DIFFERS from sha256sum"
if command -v xxhsum >/dev/null; then
  [ "$(xxhsum -q -H2 "$file" | cut -d' ' -f1)" = "$xx_digest" ] && echo "xxh128 digest matches xxhsum -H128" || echo "xxh128 digest DIFFERS from xxhsum -H128"
fi
awk -v a="${secs[sha256sum]}" -v b="$ws_s" 'BEGIN { printf "waybill sha256 vs sha256sum: %.2fx the time\n", b / a }'
