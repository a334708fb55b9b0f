#!/usr/bin/env bash
# Sets up everything, then runs the demo job and shows where to look.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
job="demo-$(date +%Y%m%d-%H%M%S)"
./waybill run samples/demo/waybill.yaml --job-id "$job" "$@"
./waybill status "$job"
echo
echo "Explore it: cd out/$job && tail logs/99_pipeline_*.log && jq '.inputs' 05_report/manifest.json"
