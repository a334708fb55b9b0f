#!/usr/bin/env bash
# What a rate card and OpenTelemetry export add to a run: the same fan-out of N no-op command stage runs
# (bench/scripts/fanout-noops.yaml, `run: "true"`), `waybill run --jobs 2`, plain, with a rate card (cpu_hour,
# memory_gb_hour: every stage run priced, the job's cost summed at the end), and with `--otlp-endpoint` to a local
# OTLP/HTTP receiver (python3, answers 200 to every POST and counts the bytes: a span and about six log records per
# stage run). The three alternate RUNS times; prints the median wall and CPU time (user + system, waybill and its
# children) of each and their ratios to the plain run: on a shared machine the CPU time is the steadier figure.
#
# Usage:  bench/scripts/cost-otel-overhead.sh [N] [WORKDIR]
#   N          stage runs (default 2000)
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#              default /var/tmp/waybill-bench/cost-otel
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs, native when a C toolchain is installed)
#   RUNS       timed runs of each (default 3; the median is reported)
set -euo pipefail

n="${1:-2000}"
work="${2:-/var/tmp/waybill-bench/cost-otel}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
export WAYBILL_CACHE=off OPENLINEAGE_DISABLED=true OTEL_EXPORTER_OTLP_ENDPOINT=
mkdir -p "$work"
collector_pid=
cleanup() {
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || { rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null || true; }
}
trap cleanup EXIT

# The receiver: a threading HTTP server on a free loopback port, which it writes to port.txt.
cat > "$work/collector.py" <<'PY'
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
python3 "$work/collector.py" "$work/port.txt" &
collector_pid=$!
for _ in $(seq 50); do [ -s "$work/port.txt" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$work/port.txt")"

seq 1 "$n" | sed 's/^/item-/' > "$work/items.txt"
cp "$root/bench/scripts/fanout-noops.yaml" "$work/plain.yaml"
{ printf 'cost:\n  rates: { cpu_hour: 0.04, memory_gb_hour: 0.005 }\n'; cat "$root/bench/scripts/fanout-noops.yaml"; } > "$work/card.yaml"

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# "WALL CPU" seconds of a command (GNU time), its output thrown away.
timed() {
  /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time.txt"
}

p=(); c=(); o=(); pc=(); cc=(); oc=()
for ((r = 1; r <= runs; r++)); do
  read -r w u < <(cd "$work" && timed $WAYBILL run plain.yaml --job-id "p$r" --jobs 2 --out out); p+=("$w"); pc+=("$u")
  read -r w u < <(cd "$work" && timed $WAYBILL run card.yaml --job-id "c$r" --jobs 2 --out out); c+=("$w"); cc+=("$u")
  read -r w u < <(cd "$work" && timed $WAYBILL run plain.yaml --job-id "o$r" --jobs 2 --out out --otlp-endpoint "$endpoint"); o+=("$w"); oc+=("$u")
done
grep -q '"cost"' "$work/out/c1/manifest.json" || { echo "the rate card run recorded no cost" >&2; exit 1; }
grep -q 'OpenTelemetry collector' "$work"/out/o*/logs/99_pipeline_*.log && { echo "an export failed" >&2; exit 1; }
m() { printf '%s\n' "$@" | median; }
mp=$(m "${p[@]}"); mc=$(m "${c[@]}"); mo=$(m "${o[@]}"); up=$(m "${pc[@]}"); uc=$(m "${cc[@]}"); uo=$(m "${oc[@]}")
printf '%-12s %7s %6s %7s %6s   (%s stage runs, --jobs 2, medians of %s; load %s)\n' WHAT WALL_S RATIO CPU_S RATIO "$n" "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
row() { printf '%-12s %7s %6.2f %7s %6.2f\n' "$1" "$2" "$(echo "$2 / $mp" | bc -l)" "$3" "$(echo "$3 / $up" | bc -l)"; }
row plain "$mp" "$up"
row rate-card "$mc" "$uc"
row otlp-export "$mo" "$uo"
