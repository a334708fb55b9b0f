#!/usr/bin/env bash
# Questions across 10,000 stage manifests, answered from the catalog (`waybill query`) and by reading the manifests
# with jq and with Python (and `cat` alone, the floor of any tool that reads the files), plus the time to rebuild the
# catalog from the job folders.
#   "failed stages with their error":  waybill query --status failed --limit 0
#   "mean duration per stage":         waybill query --stats duration --by stage
#
# Usage:  bench/scripts/catalog-vs-jq.sh [JOBS] [STAGES] [WORKDIR]
#   JOBS x STAGES stage manifests (default 20 x 500 = 10,000); every 50th stage fails (with -k, the rest run).
#   WORKDIR  default /tmp/waybill-catalog-vs-jq; a new run-<time> folder in it is deleted at the end (KEEP=1 keeps it)
# Environment: WAYBILL (default: the build ./waybill runs), RUNS (timed runs per command, default 5, after a warm-up).
set -euo pipefail

jobs="${1:-20}"
stages="${2:-500}"
work="${3:-/tmp/waybill-catalog-vs-jq}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT
cd "$work"

{
  echo "name: catalog-bench"
  echo "stages:"
  for ((i = 1; i <= stages; i++)); do
    printf '  - id: %04d_s%d\n' "$i" "$i"
    if (( i % 50 == 0 )); then printf '    run: echo "stage %d broke" >&2; exit 3\n' "$i"; else printf '    run: "true"\n'; fi
  done
} > waybill.yaml
echo "making $jobs jobs of $stages stages ($((jobs * stages)) stage manifests) ..."
for ((j = 1; j <= jobs; j++)); do
  WAYBILL_CATALOG=off WAYBILL_CACHE=off $WAYBILL run waybill.yaml --job-id "job-$j" -k --jobs 2 >/dev/null || true
done
manifests=$(find out -mindepth 3 -maxdepth 3 -name manifest.json | wc -l)
echo "stage manifests: $manifests"

cat > mean.py <<'PY'
import json, sys, glob, collections
failed = []
durations = collections.defaultdict(list)
for path in glob.glob("out/*/*/manifest.json"):
    with open(path) as f:
        m = json.load(f)
    if m["status"] == "failed":
        failed.append((m["job_id"], m["stage_id"], m["errors"][0]["message"] if m["errors"] else ""))
    durations[m["stage"]].append(m["duration_seconds"])
mode = sys.argv[1]
if mode == "failed":
    for row in failed: print("\t".join(row))
else:
    for stage, values in sorted(durations.items()): print(stage, sum(values) / len(values))
PY

# Median of RUNS timed runs (after one warm-up), in seconds.
time_it() {
  local times=() t0 t1 i
  bash -c "$1" >/dev/null 2>&1 || true
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N); bash -c "$1" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    times+=("$(( (t1 - t0) / 1000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]/1e6}'
}

export WAYBILL_CATALOG="$work/catalog.db"
rebuild_times=()
for ((i = 0; i < 3; i++)); do
  rm -f "$WAYBILL_CATALOG" "$WAYBILL_CATALOG-wal" "$WAYBILL_CATALOG-shm"
  t0=$(date +%s%N); $WAYBILL catalog rebuild --out out >/dev/null 2>&1; t1=$(date +%s%N)
  rebuild_times+=("$(( (t1 - t0) / 1000000 ))")
done
echo "catalog rebuild of $manifests stage manifests: ${rebuild_times[*]} ms"

files="out/*/*/manifest.json"
declare -A t
t[q_failed]=$(time_it "$WAYBILL query --status failed --limit 0")
t[q_mean]=$(time_it "$WAYBILL query --stats duration --by stage")
t[sql_failed]=$(time_it "$WAYBILL query --sql \"SELECT job_id, stage_id, error FROM stage_runs WHERE status = 'failed'\"")
t[jq_failed]=$(time_it "jq -r 'select(.status == \"failed\") | [.job_id, .stage_id, .errors[0].message] | @tsv' $files")
t[jq_mean]=$(time_it "jq -s 'group_by(.stage) | map({stage: .[0].stage, mean: (map(.duration_seconds) | add / length)})' $files")
t[py_failed]=$(time_it "python3 mean.py failed")
t[py_mean]=$(time_it "python3 mean.py mean")
t[cat]=$(time_it "cat $files")
t[version]=$(time_it "$WAYBILL --version")
# The queries alone, without a program start: the SQL waybill issues, run by SQLite through Python's sqlite3 on the
# same catalog file (median of 21, in ms).
python3 - "$WAYBILL_CATALOG" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
queries = {
    "failed stages with their error": "SELECT s.job_id, s.stage_id, s.status, s.started, s.duration_seconds, COALESCE(s.error, s.status_reason) "
        "FROM stage_runs s JOIN jobs j ON j.job_dir = s.job_dir WHERE s.status = 'failed' AND s.status <> 'success' "
        "ORDER BY s.started DESC, s.job_dir, s.stage_id",
    "mean duration per stage": "SELECT s.stage, COUNT(*), COUNT(DISTINCT s.job_dir), AVG(CASE WHEN s.reused_from IS NULL THEN "
        "s.duration_seconds END), MIN(CASE WHEN s.reused_from IS NULL THEN s.duration_seconds END), MAX(CASE WHEN s.reused_from "
        "IS NULL THEN s.duration_seconds END) FROM stage_runs s GROUP BY s.stage ORDER BY s.stage",
}
for name, sql in queries.items():
    times = []
    for _ in range(21):
        t0 = time.perf_counter(); rows = db.execute(sql).fetchall(); times.append((time.perf_counter() - t0) * 1000)
    print(f"query alone, {name}: {sorted(times)[10]:.1f} ms ({len(rows)} rows)")
PY
printf '\n%-48s %10s %14s\n' "command ($manifests stage manifests)" "median s" "x waybill"
for q in failed mean; do
  for k in q_$q jq_$q py_$q; do
    printf '%-48s %10s %14s\n' "$k" "${t[$k]}" "$(awk -v a="${t[$k]}" -v b="${t[q_$q]}" 'BEGIN {printf "%.1f", a / b}')"
  done
done
printf '%-48s %10s\n' "sql_failed (query --sql)" "${t[sql_failed]}"
printf '%-48s %10s\n' "cat of every manifest" "${t[cat]}"
printf '%-48s %10s\n' "waybill --version (program start alone)" "${t[version]}"
