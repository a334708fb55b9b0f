#!/usr/bin/env bash
# Sets up everything (packages, the VAD model, the build), generates the sample video, and subtitles it.
# Extra arguments go to 'waybill subtitle' (e.g. --translate-to de, --asr openai).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
[ -f samples/generated/sample.mp4 ] && [ -f samples/generated/truth.json ] || ./waybill sample -o samples/generated
job="subtitles-$(date +%Y%m%d-%H%M%S)"
./waybill subtitle samples/generated/sample.mp4 --job-id "$job" "$@"
echo
echo "Explore it: cd out/$job && tail logs/99_pipeline_*.log && cat 11_subtitle_generation/subtitles.srt && jq '.inputs' 06_asr/manifest.json"
