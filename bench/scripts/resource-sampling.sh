#!/usr/bin/env bash
# What resource sampling costs: the engine's own CPU time while one command stage sleeps for SECONDS (default 20),
# with sample_interval off and each of INTERVALS (default: 1s, the default, 250ms and 100ms, the shortest allowed),
# alternated RUNS (3) times; the median
# CPU seconds of each and the difference to "off" as a share of one core. The stage sleeps, so what is left is the
# engine: start, bookkeeping, and the sampling ticks (a pass over /proc and the stage's /proc/<pid>/stat and io).
# Target: at most 1% of one core at the default interval.
set -euo pipefail
SECONDS_TO_SLEEP=${1:-20}
RUNS=${RUNS:-3}
INTERVALS=${INTERVALS:-1s 250ms 100ms}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/waybill-sampling.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Built once (natively where a C toolchain is installed), then run straight, so no rebuild lands in a measurement.
"$ROOT/waybill" --version > /dev/null
WAYBILL="$ROOT/.build/cli/waybill"
[ -x "$WAYBILL" ] || WAYBILL="$ROOT/waybill"
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed: scripts/setup.sh installs it" >&2; exit 1; }

for interval in off $INTERVALS; do
    cat > "$WORK/$interval.yaml" <<YAML
stages:
  - id: 01_sleep
    run: sleep $SECONDS_TO_SLEEP
    sample_interval: "$interval"
YAML
done

declare -A cpu
for run in $(seq "$RUNS"); do
    for interval in off $INTERVALS; do
        rm -rf "$WORK/out"
        # %U + %S: user and system CPU of waybill and what it waited for (the spawner, sleep: about 1 ms).
        /usr/bin/time -f "%U %S" -o "$WORK/time" "$WAYBILL" run "$WORK/$interval.yaml" --out "$WORK/out" --no-cache > /dev/null
        used=$(awk '{ printf "%.3f", $1 + $2 }' "$WORK/time")
        rows=$( (cat "$WORK"/out/*/01_sleep/resource_samples.tsv 2> /dev/null || true) | tail -n +2 | wc -l)
        echo "run $run  interval $interval  cpu ${used}s  rows $rows"
        cpu[$interval]="${cpu[$interval]:-} $used"
    done
done

median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
off=$(median "${cpu[off]}")
echo "median engine CPU over ${SECONDS_TO_SLEEP}s: off ${off}s"
for interval in $INTERVALS; do
    m=$(median "${cpu[$interval]}")
    awk -v m="$m" -v off="$off" -v s="$SECONDS_TO_SLEEP" -v i="$interval" \
        'BEGIN { printf "  %-6s %.3fs  sampling cost %.3fs = %.2f%% of one core\n", i, m, m - off, (m - off) / s * 100 }'
done
