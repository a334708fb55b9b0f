#!/usr/bin/env bash
# The run report of a 1,000-stage job: how long `waybill report` takes to write it, how large it is, and how long Debian's
# headless Chromium takes to render it. The job is 10 chains of 100 command stages with a file each (so the lineage graph
# has 2,000 boxes), run with --jobs 2; every 50th stage warns, one optional stage fails. With SAMPLES=1 (the default) each
# stage also gets a resource samples file of 240 rows, named in its manifest as the sampler names it (jq), so the report
# embeds 1,000 sets of curves: the largest report such a job gives.
#
# Render time: the page's script writes performance.now() into <html data-render-ms> after it has drawn the page and
# forced a layout, i.e. the time from the start of navigation to a laid-out first screen (parsing the HTML, the data
# island and the lineage drawing's <template>, running the script, styling and layout; the timeline, the first 200
# rows, warnings, changes, cost, config and log excerpts are drawn, the lineage drawing and further rows wait until
# needed). Opened as report.html#all, the page draws everything at once: the figure then includes the whole table
# and the lineage drawing, whose part is also given (data-lineage-ms). Read back with `chromium --headless --dump-dom`,
# one fresh browser per run. Target: the first figure at most 1,000 ms.
# On a shared machine the browser runs at `nice -n -20` when the script runs as root (PRIORITY=0 turns that off), so
# that other processes' load counts as little as it can; the load average is printed with the figures.
#
# Usage:  bench/scripts/report-render.sh [STAGES] [WORKDIR]
#   STAGES   stage count (default 1000), a multiple of 10
#   WORKDIR  where the pipeline, job and reports go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#            default /var/tmp/waybill-bench/report
# Environment:
#   WAYBILL  the waybill command (default: the build ./waybill runs)
#   RUNS     timed renders and report writes (default 5; the median and the range are printed)
#   SAMPLES  1 (default) to give every stage a samples file, 0 for none
set -euo pipefail

stages="${1:-1000}"
work="${2:-/var/tmp/waybill-bench/report}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
export WAYBILL_CACHE=off
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT
cd "$work"

per_chain=$((stages / 10))
{
  echo "name: report-bench"
  echo "stages:"
  n=0
  for ((c = 0; c < 10; c++)); do
    for ((i = 0; i < per_chain; i++)); do
      n=$((n + 1))
      id=$(printf '%04d_c%ds%d' "$n" "$c" "$i")
      echo "  - id: $id"
      cmd="echo $n > {out.o}"
      if [ "$i" -gt 0 ]; then
        echo "    inputs: { x: $(printf '%04d_c%ds%d' $((n - 1)) "$c" $((i - 1))).o }"
        cmd="cat {in.x} > {out.o}; echo $n >> {out.o}"
      fi
      [ $((n % 50)) -eq 0 ] && cmd="$cmd; echo 'WARNING: stage $n is slow' >&2; waybill stage warn 'stage $n took a detour'"
      echo "    run: \"$cmd\""
      echo "    outputs: { o: o.txt }"
    done
  done
  echo "  - id: 9999_fail"
  echo "    run: 'echo \"broken on purpose\" >&2; exit 3'"
  echo "    optional: true"
} > bench.yaml

mkdir -p bin
printf '#!/bin/sh\nexec %s "$@"\n' "$WAYBILL" > bin/waybill
chmod +x bin/waybill
PATH="$work/bin:$PATH" $WAYBILL run bench.yaml --job-id big --jobs 2 --out out >/dev/null

if [ "${SAMPLES:-1}" = 1 ]; then
  for manifest in out/big/*/manifest.json; do
    dir=$(dirname "$manifest")
    awk 'BEGIN { print "elapsed_seconds\tcpu_percent\trss_mb\tread_bytes\twrite_bytes\tgpu_percent\tgpu_memory_mb";
                 for (i = 1; i <= 240; i++) printf "%.1f\t%d\t%.1f\t%d\t%d\t\t\n", i * 0.5, (i * 37) % 180, 40 + i / 3, i * 65536, i * 4096 }' \
      > "$dir/resource_samples.tsv"
    jq '.resources.samples = {file: "resource_samples.tsv", interval_seconds: 0.5, count: 240}' "$manifest" > "$manifest.new"
    mv "$manifest.new" "$manifest"
  done
fi

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

writes=()
for ((r = 1; r <= runs; r++)); do
  start=$(date +%s%N)
  $WAYBILL report big --out out --output report.html >/dev/null
  writes+=("$(( ($(date +%s%N) - start) / 1000000 ))")
done

priority=()
[ "${PRIORITY:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && priority=(nice -n -20)
# The <html> element of the page after its script ran, in a fresh headless Chromium.
render() {
  rm -rf profile
  TMPDIR="$work" "${priority[@]}" chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --user-data-dir="$work/profile" --host-resolver-rules='MAP * ~NOTFOUND' --window-size=1400,1000 \
    --dump-dom "file://$work/report.html$1" 2>/dev/null | grep -o '<html[^>]*>' | head -1
}
attribute() { grep -o "$1=\"[0-9.]*\"" | tr -dc '0-9.'; }
renders=(); alls=(); lineages=()
for ((r = 1; r <= runs; r++)); do
  first=$(render "" | attribute data-render-ms)
  whole=$(render "#all")
  [ -n "$first" ] && [ -n "$whole" ] || { echo "the page did not render (no data-render-ms)" >&2; exit 1; }
  renders+=("$first"); alls+=("$(attribute data-render-ms <<< "$whole")"); lineages+=("$(attribute data-lineage-ms <<< "$whole")")
done

size=$(stat -c %s report.html)
printf 'stages %s (+1 failing), samples %s, load after %s\n' "$stages" "${SAMPLES:-1}" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'report.html        %8.1f KiB\n' "$(echo "$size / 1024" | bc -l)"
printf 'waybill report     %8s ms median (%s ms)\n' "$(printf '%s\n' "${writes[@]}" | median)" "$(printf '%s\n' "${writes[@]}" | range)"
figures() { printf '%8s ms median (%s ms)' "$(printf '%s\n' "$@" | median)" "$(printf '%s\n' "$@" | range)"; }
printf 'first screen       %s, target <= 1000 ms\n' "$(figures "${renders[@]}")"
printf 'everything (#all)  %s\n' "$(figures "${alls[@]}")"
printf '  of it lineage    %s\n' "$(figures "${lineages[@]}")"
printf 'browser priority   %s\n' "${priority[*]:-normal}"
