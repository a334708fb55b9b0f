#!/usr/bin/env bash
# Renders the figures the reliability tests recorded (.build/reliability/*.txt, one "name<TAB>value" line each,
# written by tests/Shared/ReliabilityFigures.cs) into the table between the markers of docs/reliability.md.
# scripts/test.sh runs it after every test run, so the published figures are the ones the last run measured.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
doc="$root/docs/reliability.md"
figures="$root/.build/reliability"
begin='<!-- figures:begin -->'
end='<!-- figures:end -->'
compgen -G "$figures/*.txt" >/dev/null || { echo "reliability-report: no figures recorded"; exit 0; }
grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" || { echo "reliability-report: markers missing in $doc" >&2; exit 1; }
table="$(mktemp "$root/.build/reliability-table.XXXXXX")"
trap 'rm -f "$table" "$doc.tmp"' EXIT
{
  echo "$begin"
  echo "Measured by the test suite on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m)); \`scripts/test.sh\` rewrites this table."
  echo
  echo "| figure | value |"
  echo "| --- | --- |"
  cat "$figures"/*.txt | LC_ALL=C sort | awk -F '\t' '{ printf "| %s | %s |\n", $1, $2 }'
  echo "$end"
} > "$table"
awk -v table="$table" -v begin="$begin" -v end="$end" '
  $0 == begin { while ((getline line < table) > 0) print line; skip = 1; next }
  $0 == end { skip = 0; next }
  !skip { print }
' "$doc" > "$doc.tmp"
mv "$doc.tmp" "$doc"
echo "reliability-report: $(ls "$figures"/*.txt | wc -l) figures written to docs/reliability.md"
