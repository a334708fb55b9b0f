#!/usr/bin/env bash
# What indexing into the catalog adds to a run: the 500 no-op command stages of stages-vs-bash.sh, `--jobs 2`, run
# alternately with the catalog on (a SQLite file, opened while the stages run, written in batches as they finish and
# once more at the end) and off (WAYBILL_CATALOG=off), ROUNDS times each; prints the median and mean of each, their
# ratio, the ratio paired run by run, and the CPU time each took and the CPU indexing added.
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

# Wall time in ms; the CPU time of waybill and what it waited for goes to cpu-<on|off>.txt, one line per run: perf's
# task-clock (to the microsecond) when perf is installed, else GNU time's user + system (to 10 ms). On a shared machine
# the wall time of a half-second run varies by more than the 1% asked of indexing, its CPU time less.
if perf stat -x, -e task-clock -o /dev/null true >/dev/null 2>&1; then clock=perf; else clock=time; fi
run() { # $1: on|off, $2: job id; prints milliseconds
  local catalog=off t0 t1
  [ "$1" = on ] && catalog="$work/catalog.db"
  t0=$(date +%s%N)
  if [ "$clock" = perf ]; then
    WAYBILL_CATALOG="$catalog" WAYBILL_CACHE=off perf stat -x, -e task-clock -o "$work/clock.txt" \
      $WAYBILL run waybill.yaml --job-id "$2" --jobs 2 >/dev/null 2>&1
    grep -E '^[0-9.]+,msec,task-clock' "$work/clock.txt" | cut -d, -f1 >> "cpu-$1.txt"
  else
    WAYBILL_CATALOG="$catalog" WAYBILL_CACHE=off /usr/bin/time -o "$work/clock.txt" -f '%U %S' \
      $WAYBILL run waybill.yaml --job-id "$2" --jobs 2 >/dev/null 2>&1
    awk '{print ($1 + $2) * 1000}' "$work/clock.txt" >> "cpu-$1.txt"
  fi
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
# Paired: each run with the catalog against the run without it just after, which the machine's drifts spare.
paste -d' ' <(printf '%s\n' "${on[@]}") <(printf '%s\n' "${off[@]}") | awk '{print $1 / $2}' | sort -g \
  | awk '{a[NR]=$1; s+=$1} END {printf "on/off, paired: median %.3f, mean %.3f\n", a[int((NR+1)/2)], s/NR}'
for c in on off; do
  sort -g "cpu-$c.txt" | awk -v c="$c" -v k="$clock" '{s += $1; a[NR] = $1} END {
    printf "CPU (%s), catalog %s: median %.1f ms, mean %.1f ms\n", k, c, a[int((NR+1)/2)], s/NR}'
done
paste -d' ' cpu-on.txt cpu-off.txt | awk '{print $1 - $2}' | sort -g \
  | awk '{a[NR]=$1; s+=$1} END {printf "CPU added, paired: median %.1f ms, mean %.1f ms\n", a[int((NR+1)/2)], s/NR}'
WAYBILL_CATALOG="$work/catalog.db" $WAYBILL query --sql "SELECT COUNT(*) AS jobs_indexed FROM jobs" 
