#!/usr/bin/env bash
# `waybill verify` of one job of N fan-out items (no-op commands), against the floor of any tool that checks the same
# records: reading every file verify reads (`cat`), and checksumming them (`b2sum`, for scale). Prints the median wall
# time and verify's peak RSS over RUNS runs of each, alternated.
#
# Usage:  bench/scripts/verify-large-job.sh [ITEMS] [WORKDIR]
#   ITEMS    fan-out items (default 10000; about 20,000 files with the logs)
#   WORKDIR  default /dev/shm/waybill-verify-bench; a new run-<time> folder in it is deleted at the end (KEEP=1 keeps it)
# Environment: WAYBILL (default: the build ./waybill runs), RUNS (default 5).
set -euo pipefail

items="${1:-10000}"
work="${2:-/dev/shm/waybill-verify-bench}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT
cd "$work"

seq 1 "$items" | sed 's/^/item-/' > items.txt
cp "$root/bench/scripts/fanout-noops.yaml" fan.yaml
echo "making a job of $items items ..."
WAYBILL_CATALOG=off WAYBILL_CACHE=off $WAYBILL run fan.yaml --job-id v --jobs 2 --out out >/dev/null
find out/v -type f ! -path '*/.waybill/*' > files.txt
echo "files: $(wc -l < files.txt)"

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
v=(); c=(); b=(); peak=0
for ((r = 1; r <= runs; r++)); do
  /usr/bin/time -f '%e %M' -o time.txt $WAYBILL verify v --out out >/dev/null
  read -r secs kb < time.txt; v+=("$secs"); [ "$kb" -gt "$peak" ] && peak=$kb
  /usr/bin/time -f '%e' -o time.txt sh -c 'xargs -d "\n" cat < files.txt > /dev/null'; c+=("$(cat time.txt)")
  /usr/bin/time -f '%e' -o time.txt sh -c 'xargs -d "\n" b2sum < files.txt > /dev/null'; b+=("$(cat time.txt)")
done
vm=$(printf '%s\n' "${v[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); bm=$(printf '%s\n' "${b[@]}" | median)
printf '%-26s %9s %8s\n' WHAT MEDIAN_S PEAK_MB
printf '%-26s %9.2f %8.0f\n' "waybill verify" "$vm" "$((peak / 1024))"
printf '%-26s %9.2f %8s\n' "cat of every file" "$cm" "-"
printf '%-26s %9.2f %8s\n' "b2sum of every file" "$bm" "-"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
