#!/usr/bin/env bash
# What indexing into the catalog adds to a run: the 500 no-op command stages of stages-vs-bash.sh, `--jobs 2`, run
# alternately with the catalog on (a SQLite file, opened while the stages run and written in one transaction at the
# end) and off (WAYBILL_CATALOG=off), ROUNDS times each; prints the median and mean of each and their ratio.
#
# Usage:  bench/scripts/catalog-indexing-overhead.sh [STAGES] [WORKDIR]
#   STAGES   default 500;  WORKDIR  default /tmp/waybill-catalog-overhead (a run-<time> folder in it, deleted after;
#            KEEP=1 keeps it); put it on /dev/shm to take the disk out of the comparison
# Environment: WAYBILL (default: the build ./waybill runs), ROUNDS (default 15, after one warm-up of each).
set -euo pipefail

stages="${1:-500}"
work="${2:-/tmp/waybill-catalog-overhead}/run-$(date +%Y%m%d-%H%M%S)"
rounds="${ROUNDS:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT
cd "$work"
{
  echo "name: catalog-overhead"
  echo "stages:"
  for ((i = 1; i <= stages; i++)); do printf '  - id: %03d_s%d\n    run: echo %d > {out.o}\n    outputs:\n      o: o\n' "$i" "$i" "$i"; done
} > waybill.yaml

# Wall time in ms; the CPU time (user + system, ms) of waybill and what it waited for goes to cpu-<on|off>.txt:
# on a shared machine the wall time of a half-second run varies by more than the 1% asked of indexing, its CPU time less.
run() { # $1: on|off, $2: job id; prints milliseconds
  local catalog=off t0 t1
  [ "$1" = on ] && catalog="$work/catalog.db"
  t0=$(date +%s%N)
  WAYBILL_CATALOG="$catalog" WAYBILL_CACHE=off /usr/bin/time -a -o "cpu-$1.txt" -f '%U %S' \
    $WAYBILL run waybill.yaml --job-id "$2" --jobs 2 >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
run on warm-on >/dev/null
run off warm-off >/dev/null
rm -f cpu-on.txt cpu-off.txt
on=(); off=()
for ((r = 1; r <= rounds; r++)); do
  on+=("$(run on "on-$r")")
  off+=("$(run off "off-$r")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%d %.0f %d %d", a[int((NR+1)/2)], s/NR, a[1], a[NR]}'; }
read -r on_med on_mean on_min on_max <<<"$(stats "${on[@]}")"
read -r off_med off_mean off_min off_max <<<"$(stats "${off[@]}")"
echo "stages: $stages, rounds: $rounds (alternated), folder: $work"
echo "catalog on:  median ${on_med} ms, mean ${on_mean} ms, min-max ${on_min}-${on_max} ms"
echo "catalog off: median ${off_med} ms, mean ${off_mean} ms, min-max ${off_min}-${off_max} ms"
awk -v a="$on_med" -v b="$off_med" -v c="$on_mean" -v d="$off_mean" \
  'BEGIN {printf "on/off: median %.3f, mean %.3f\n", a / b, c / d}'
for c in on off; do
  awk '{print ($1 + $2) * 1000}' "cpu-$c.txt" | sort -n \
    | awk -v c="$c" '{s += $1; a[NR] = $1} END {printf "CPU, catalog %s: median %.0f ms, mean %.0f ms\n", c, a[int((NR+1)/2)], s/NR}'
done
WAYBILL_CATALOG="$work/catalog.db" $WAYBILL query --sql "SELECT COUNT(*) AS jobs_indexed FROM jobs" 
