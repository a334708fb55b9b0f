#!/usr/bin/env bash
# The Whisper ASR stage with the tests' generated tiny model (random weights, real ggml format): how much of the
# stage's wall time is spent outside whisper.cpp (reading the VAD regions, turning tokens into words, writing the
# transcript, hashing the model, the manifest) — the stage's wall_seconds less whisper_busy_seconds, the wall time
# during which whisper.cpp was loading, detecting or decoding in at least one worker. Also the model load time, the
# real-time factor and the peak RSS of the whole `waybill subtitle` job (GNU time). Runs RUNS (3) jobs; the sample
# is MEDIA_SECONDS (48, the default sample) long. Targets: overhead at most 2% of the stage, peak RSS under 500 MB.
#
# Usage: bench/scripts/whisper-overhead.sh        Environment: RUNS (3), MEDIA_SECONDS, ARTIFACTS, WORK, CLI (default ./waybill)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
work="${WORK:-/var/tmp/waybill-bench/whisper}"
runs="${RUNS:-3}"
mkdir -p "$work"
cd "$root"
echo "building (Release, artifacts in $artifacts) ..."
dotnet build bench/Waybill.Benchmarks -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
bench="$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll"
cli="${CLI:-$root/waybill}"
"$cli" --version >/dev/null   # builds the native CLI on first use

[ -f "$work/sample/sample.mp4" ] || "$cli" sample -o "$work/sample" ${MEDIA_SECONDS:+--seconds "$MEDIA_SECONDS"} >/dev/null
model="$(dotnet "$bench" tiny-whisper-model "$work/ggml-tiny-random.bin")"
echo "input: $work/sample/sample.mp4 ($(jq '.duration' "$work/sample/truth.json") s); model: $model ($(stat -c %s "$model") bytes)"
results="$work/results.txt"
: >"$results"
for i in $(seq 1 "$runs"); do
  rm -rf "$work/out"
  WAYBILL_CACHE=off /usr/bin/time -f '%M' -o "$work/rss.txt" "$cli" subtitle "$work/sample/sample.mp4" --out "$work/out" --job-id "run$i" \
    --asr whisper --set "06_asr.model=$model" >"$work/run$i.log" 2>&1 || { echo "run $i failed:"; tail -20 "$work/run$i.log"; exit 1; }
  jq -r --arg rss "$(cat "$work/rss.txt")" '.resources | "\(.wall_seconds) \(.whisper_busy_seconds) \(.model_load_seconds) \(.real_time_factor) \($rss)"' \
    "$work/out/run$i/06_asr/manifest.json" | tee -a "$results"
done
awk '
  { wall += $1; busy += $2; load += $3; rtf += $4; n++; if ($5 > peak) peak = $5; o = 100 * ($1 - $2) / $1; if (o > worst) worst = o }
  END {
    printf "06_asr: mean wall %.3f s, whisper.cpp busy %.3f s, outside whisper.cpp %.3f s = %.2f%%", wall/n, busy/n, (wall-busy)/n, 100*(wall-busy)/wall
    printf " (worst run %.2f%%; target <= 2%%)\n", worst
    printf "model load %.3f s, real-time factor %.3f; peak RSS of the job %.1f MB (target < 500 MB)\n", load/n, rtf/n, peak/1024
  }' "$results"
