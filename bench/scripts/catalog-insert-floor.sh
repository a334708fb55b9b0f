#!/usr/bin/env bash
# The floor of indexing: the CPU time SQLite itself takes to insert one 500-stage run's rows into a catalog of 10,000
# stage runs (bench/floor/catalog-insert-floor.c, through the libe_sqlite3 the build ships, no .NET), against what
# indexing adds to the whole run (catalog-indexing-overhead.sh): the rows as a run writes them, the rows with the
# columns every row of a job repeats left empty (what moving them to the jobs table would leave), and the rows without
# the index by start time that `query --stats` reads. Each variant works on its own copy of the catalog, alternated,
# ROUNDS times; prints the median CPU time of each.
#
# Usage:  bench/scripts/catalog-insert-floor.sh [WORKDIR]
#   WORKDIR  default /tmp/waybill-catalog-floor (a run-<time> folder in it, deleted after; KEEP=1 keeps it)
# Environment: WAYBILL (default: the build ./waybill runs; its folder must hold libe_sqlite3.so), ROUNDS (default 15).
# Needs a C compiler.
set -euo pipefail

work="${1:-/tmp/waybill-catalog-floor}/run-$(date +%Y%m%d-%H%M%S)"
rounds="${ROUNDS:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
program="${WAYBILL##* }"
library="$(dirname "$program")/libe_sqlite3.so"
[ -f "$library" ] || { echo "no libe_sqlite3.so beside $program" >&2; exit 2; }
command -v cc >/dev/null || { echo "needs a C compiler (cc)" >&2; exit 2; }
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT
cd "$work"
cc -O2 -o floor "$root/bench/floor/catalog-insert-floor.c" "$library" -lm -Wl,-rpath,"$(dirname "$library")"

# A catalog of 10,000 stage runs written by Waybill itself: 20 runs of the benchmark's 500 stages.
{
  echo "name: catalog-floor"
  echo "stages:"
  for ((i = 1; i <= 500; i++)); do printf '  - id: %03d_s%d\n    run: echo %d > {out.o}\n    outputs:\n      o: o\n' "$i" "$i" "$i"; done
} > waybill.yaml
for ((j = 1; j <= 20; j++)); do
  WAYBILL_CATALOG="$work/catalog.db" WAYBILL_CACHE=off $WAYBILL run waybill.yaml --job-id "seed-$j" --jobs 2 >/dev/null 2>&1
done
for variant in full slim nostarted; do cp catalog.db "$variant.db"; [ -f catalog.db-wal ] && cp catalog.db-wal "$variant.db-wal"; done

for ((r = 1; r <= rounds; r++)); do
  for variant in full slim nostarted; do
    echo "$variant $(./floor "$variant.db" "$r" "$variant")" >> times.txt
  done
done
echo "SQLite alone, one 500-stage run's rows into 10,000 (median CPU of $rounds alternated rounds, load $(cut -d' ' -f1 /proc/loadavg)):"
for variant in full slim nostarted; do
  grep "^$variant " times.txt | cut -d' ' -f2 | sort -g | awk -v v="$variant" '{a[NR] = $1} END {
    printf "  %-10s %6.2f ms  (%.1f µs a row)\n", v, a[int((NR + 1) / 2)], a[int((NR + 1) / 2)] * 2 }'
done
