#!/usr/bin/env bash
# What reading a large job's records costs: one job of N fan-out items (no-op commands), then, alternated RUNS times, its
# no-op rerun, `waybill status` and `waybill catalog rebuild` (into a new catalog each time), against the floor of
# reading every stage manifest (`cat`). With BASELINE set to another waybill command, that build is timed beside the
# first on the same job, and the ratios printed (this build / the baseline).
#
# Usage:  bench/scripts/large-job-reads.sh [ITEMS] [WORKDIR]
#   ITEMS    fan-out items (default 100000)
#   WORKDIR  default /dev/shm/waybill-reads-bench; a new run-<time> folder in it is deleted at the end (KEEP=1 keeps it)
# Environment: WAYBILL (default: the build ./waybill runs), BASELINE (optional), RUNS (default 3).
set -euo pipefail

items="${1:-100000}"
work="${2:-/dev/shm/waybill-reads-bench}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true' EXIT
cd "$work"

seq 1 "$items" | sed 's/^/item-/' > items.txt
cp "$root/bench/scripts/fanout-noops.yaml" fan.yaml
echo "making a job of $items items ..."
WAYBILL_CATALOG=off WAYBILL_CACHE=off $WAYBILL run fan.yaml --job-id r --jobs 2 --out out >/dev/null
find out/r -name manifest.json > manifests.txt

builds=("$WAYBILL"); [ -n "${BASELINE:-}" ] && builds+=("$BASELINE")
timed() { # $1: build index, $2: what; appends "build what seconds user_seconds" to times.txt
  local w="${builds[$1]}"
  case "$2" in
    rerun) set -- "$1" "$2" env WAYBILL_CATALOG=off WAYBILL_CACHE=off $w run fan.yaml --job-id r --jobs 2 --out out ;;
    status) set -- "$1" "$2" $w status r --out out ;;
    rebuild) rm -f catalog.db*; set -- "$1" "$2" $w catalog rebuild --out out --catalog "$work/catalog.db" ;;
  esac
  local build="$1" what="$2"; shift 2
  /usr/bin/time -f '%e %U' -o time.txt "$@" >/dev/null 2>&1
  echo "$build $what $(cat time.txt)" >> times.txt
}
: > times.txt
for ((r = 1; r <= runs; r++)); do
  for what in rerun status rebuild; do
    for b in "${!builds[@]}"; do timed "$b" "$what"; done
  done
  /usr/bin/time -f '%e %U' -o time.txt sh -c 'xargs -d "\n" cat < manifests.txt > /dev/null'; echo "0 cat $(cat time.txt)" >> times.txt
done

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
of() { awk -v b="$1" -v w="$2" -v c="$3" '$1 == b && $2 == w { print $c }' times.txt | median; }
printf '%-20s %10s %10s' WHAT WALL_S USER_S; [ ${#builds[@]} -gt 1 ] && printf ' %12s %12s %8s' BASE_WALL_S BASE_USER_S RATIO
echo
for what in rerun status rebuild cat; do
  printf '%-20s %10.2f %10.2f' "$what" "$(of 0 $what 3)" "$(of 0 $what 4)"
  if [ ${#builds[@]} -gt 1 ] && [ "$what" != cat ]; then
    printf ' %12.2f %12.2f %8.3f' "$(of 1 $what 3)" "$(of 1 $what 4)" "$(echo "$(of 0 $what 3) $(of 1 $what 3)" | awk '{ print $1 / $2 }')"
  fi
  echo
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
