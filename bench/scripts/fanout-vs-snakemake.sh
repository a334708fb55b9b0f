#!/usr/bin/env bash
# The same N no-op jobs in Waybill and in Snakemake, `-j2` / `--jobs 2`: a Waybill fan-out over a list of N items
# (`foreach: { lines: 01_list.items }`, `run: "true"`, no outputs) against a Snakefile whose rule, with a wildcard,
# runs `true` per item and touches a marker file (Snakemake tracks jobs through their outputs). Times, side by side:
#   the no-op rerun (everything up to date): `waybill run` of the same job again; `snakemake -j2` again
#   the full run, only with FULL=1 (Snakemake grows about N^2: 5,000 jobs took 707 s on 2 cores)
# and prints the ratio Snakemake / Waybill for each (above 1: Waybill is faster).
#
# Usage:  bench/scripts/fanout-vs-snakemake.sh [N] [WORKDIR]
#   N          jobs (default 2000)
#   WORKDIR    where both go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#              default /var/tmp/waybill-bench/fanout-snakemake
# Environment:
#   WAYBILL    the waybill command (default: the build ./waybill runs, native when a C toolchain is installed)
#   RUNS       timed no-op reruns per tool (default 3; the median is reported)
#   FULL=1     also time the full runs (one each); without it Snakemake's first run is made but not reported
# snakemake is Debian's package; it is installed (apt-get install -y snakemake) when missing.
set -euo pipefail

n="${1:-2000}"
work="${2:-/var/tmp/waybill-bench/fanout-snakemake}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v snakemake >/dev/null; then
  echo "installing snakemake (Debian package) ..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y snakemake >/dev/null || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y snakemake >/dev/null; }
fi
. "$root/bench/scripts/waybill-command.sh"
export WAYBILL_CACHE=off
mkdir -p "$work/waybill" "$work/snakemake"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Wall seconds (to the millisecond: GNU time's 10 ms steps were a tenth of Waybill's no-op rerun) of a command run in
# folder $1, its output thrown away.
timed() {
  local dir="$1" start end; shift
  start=$(date +%s%N)
  (cd "$dir" && "$@" >/dev/null 2>"$work/stderr.txt") || { cat "$work/stderr.txt" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}

seq 1 "$n" | sed 's/^/item-/' > "$work/waybill/items.txt"
cp "$root/bench/scripts/fanout-noops.yaml" "$work/waybill/fan.yaml"
cat > "$work/snakemake/Snakefile" <<S
ITEMS = [f"item-{i}" for i in range(1, $n + 1)]

rule all:
    input: expand("done/{item}", item=ITEMS)

rule noop:
    output: "done/{item}"
    shell: "true && touch {output}"
S

wfull=$(timed "$work/waybill" $WAYBILL run fan.yaml --job-id j --jobs 2 --out out)
sfull=$(timed "$work/snakemake" snakemake -j2 --quiet)
w=(); s=()
for ((r = 1; r <= runs; r++)); do
  w+=("$(timed "$work/waybill" $WAYBILL run fan.yaml --job-id j --jobs 2 --out out)")
  s+=("$(timed "$work/snakemake" snakemake -j2 --quiet)")
done
wm=$(printf '%s\n' "${w[@]}" | median); sm=$(printf '%s\n' "${s[@]}" | median)
printf '%-8s %-22s %10s %10s %9s  %s\n' JOBS WHAT WAYBILL_S SNAKEMAKE_S RATIO LOAD
load=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "${FULL:-0}" = 1 ]; then
  awk -v n="$n" -v w="$wfull" -v s="$sfull" -v l="$load" 'BEGIN { printf "%-8s %-22s %10.3f %10.3f %8.1fx  %s\n", n, "full run", w, s, s / w, l }'
fi
awk -v n="$n" -v w="$wm" -v s="$sm" -v l="$load" -v r="$runs" \
  'BEGIN { printf "%-8s %-22s %10.3f %10.3f %8.1fx  %s\n", n, "no-op rerun (median/" r ")", w, s, s / w, l }'
