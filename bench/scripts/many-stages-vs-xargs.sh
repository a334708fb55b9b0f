#!/usr/bin/env bash
# Many stage runs: one list stage and a fan-out over its lines, `foreach: { lines: 01_list.items }`, whose item runs are
# no-op commands (`run: "true"`, no outputs), through `waybill run --jobs 2`, against the same commands run by
# `xargs -P2 sh -c 'true'`, side by side in one script run (they alternate, RUNS times), at 1,000 / 10,000 / 100,000
# items. Prints, per size: the median wall time of each, time per stage run, the ratio waybill / xargs, waybill's peak
# RSS, the no-op rerun of the same job (every item found up to date), and the CPU time per stage run of each (median) with
# its ratio: on two cores both keep about 1.45 of them busy, so the wall ratio follows the CPU ratio.
#
# Usage:  bench/scripts/many-stages-vs-xargs.sh [SIZES] [WORKDIR]
#   SIZES      item counts (default "1000 10000 100000")
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps
#              it); default /var/tmp/waybill-bench/many-stages. Every job folder stays until the end: on ext4 without a
#              journal, creating files just after deleting many costs the kernel a look at each recently freed inode
#              (`perf`: 42% of all CPU samples of 3,000 items run right after a deletion of 9,000 files, and about 2 s of
#              system time more than the next run), a cost xargs, which creates no files, never pays; 100,000 items
#              keep about 1.7 GB per run
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs, native when a C toolchain is installed)
#   RUNS       timed runs per size and command (default 3; the median is reported)
#   SEPARATE=1 also times the same N commands as N separate stages (ids 000001_s1 ...) instead of a fan-out
# The machine's load average is printed with each size: on a shared machine compare the ratios, not the times.
# Where a C compiler is installed, a third row times bench/floor/records-floor.c over the same items: a C loop that runs
# the same commands two at a time and writes the records Waybill writes per stage run (item folder, stage.log, manifest
# written atomically, the job's log, events, OpenLineage and journal lines) and nothing else, the floor those records set.
set -euo pipefail

sizes="${1:-1000 10000 100000}"
work="${2:-/var/tmp/waybill-bench/many-stages}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
export WAYBILL_CACHE=off
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# "SECONDS PEAK_KB CPU_SECONDS" of a command (GNU time; the CPU time is user + system of it and every process it waited
# for, which the spawner's and xargs's commands are), its output thrown away.
timed() {
  /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time.txt"
}

separate() {
  local n="$1" i
  echo "name: many-separate-stages"
  echo "stages:"
  for ((i = 1; i <= n; i++)); do printf '  - id: %06d_s%d\n    run: "true"\n' "$i" "$i"; done
}

floor=""
if command -v cc >/dev/null; then
  floor="$work/records-floor"
  cc -O2 -o "$floor" "$root/bench/floor/records-floor.c"
fi

printf '%-8s %-10s %9s %11s %7s %9s %10s %11s %9s  %s\n' ITEMS WHAT MEDIAN_S MS_PER_RUN RATIO PEAK_MB NOOP_S CPU_MS_RUN CPU_RATIO LOAD
for n in $sizes; do
  dir="$work/n$n"
  mkdir -p "$dir"
  seq 1 "$n" | sed 's/^/item-/' > "$dir/items.txt"
  cp "$root/bench/scripts/fanout-noops.yaml" "$dir/fan.yaml"
  [ "${SEPARATE:-0}" = 1 ] && separate "$n" > "$dir/separate.yaml"
  w=(); x=(); s=(); f=(); fc=(); peak=0; speak=0; noop=(); wc=(); xc=()
  for ((r = 1; r <= runs; r++)); do
    read -r secs kb cpu < <(cd "$dir" && timed $WAYBILL run fan.yaml --job-id "f$r" --jobs 2 --out out)
    w+=("$secs"); wc+=("$cpu"); [ "$kb" -gt "$peak" ] && peak=$kb
    read -r secs _ < <(cd "$dir" && timed $WAYBILL run fan.yaml --job-id "f$r" --jobs 2 --out out)
    noop+=("$secs")
    read -r secs _ cpu < <(timed sh -c "seq $n | xargs -P2 -I{} sh -c 'true'")
    x+=("$secs"); xc+=("$cpu")
    if [ -n "$floor" ]; then
      mkdir "$dir/floor$r"
      read -r secs _ cpu < <(cd "$dir/floor$r" && timed "$floor" "$dir/items.txt" 2 true)
      f+=("$secs"); fc+=("$cpu")
    fi
    if [ "${SEPARATE:-0}" = 1 ]; then
      read -r secs kb _ < <(cd "$dir" && timed $WAYBILL run separate.yaml --job-id "s$r" --jobs 2 --out out)
      s+=("$secs"); [ "$kb" -gt "$speak" ] && speak=$kb
    fi
  done
  wm=$(printf '%s\n' "${w[@]}" | median); xm=$(printf '%s\n' "${x[@]}" | median); nm=$(printf '%s\n' "${noop[@]}" | median)
  wcm=$(printf '%s\n' "${wc[@]}" | median); xcm=$(printf '%s\n' "${xc[@]}" | median)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  awk -v n="$n" -v w="$wm" -v x="$xm" -v p="$peak" -v no="$nm" -v l="$load" -v wc="$wcm" -v xc="$xcm" 'BEGIN {
    printf "%-8s %-10s %9.2f %11.3f %7.2f %9.0f %10.2f %11.3f %9.2f  %s\n", n, "waybill", w, 1000 * w / n, w / x, p / 1024, no,
      1000 * wc / n, wc / xc, l
    printf "%-8s %-10s %9.2f %11.3f %7s %9s %10s %11.3f %9s\n", n, "xargs -P2", x, 1000 * x / n, "1.00", "-", "-", 1000 * xc / n, "1.00" }'
  if [ -n "$floor" ]; then
    fm=$(printf '%s\n' "${f[@]}" | median); fcm=$(printf '%s\n' "${fc[@]}" | median)
    awk -v n="$n" -v f="$fm" -v x="$xm" -v fc="$fcm" -v xc="$xcm" 'BEGIN {
      printf "%-8s %-10s %9.2f %11.3f %7.2f %9s %10s %11.3f %9.2f\n", n, "C floor", f, 1000 * f / n, f / x, "-", "-", 1000 * fc / n, fc / xc }'
  fi
  if [ "${SEPARATE:-0}" = 1 ]; then
    sm=$(printf '%s\n' "${s[@]}" | median)
    awk -v n="$n" -v s="$sm" -v x="$xm" -v p="$speak" 'BEGIN {
      printf "%-8s %-10s %9.2f %11.3f %7.2f %9.0f %10s\n", n, "separate", s, 1000 * s / n, s / x, p / 1024, "-" }'
  fi
done
