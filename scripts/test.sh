#!/usr/bin/env bash
# Sets up everything and runs every test. Ends with one line: "tests: N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! ./scripts/setup.sh; then
  echo "tests: 0 passed, 1 failed, 0 skipped (setup or build failed)"
  exit 1
fi
log="$root/.build/test-output.log"
mkdir -p "$(dirname "$log")"
# Figures for docs/reliability.md: the tests of this run record them afresh.
rm -rf "$root/.build/reliability"
# The CLI tests drive the program ./waybill runs (the native build when there is one).
[ -f "$root/.build/cli/waybill.dll" ] || export WAYBILL_CLI="$root/.build/cli/waybill"
dotnet test --solution Waybill.sln -c Release --no-build --no-progress "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# The test platform ends with a summary block: "total: N", "failed: N", "succeeded: N", "skipped: N".
count() { sed -n "s/^ *$1: *\([0-9][0-9]*\)$/\1/p" "$log" | tail -n 1; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
"$root/scripts/reliability-report.sh" || true
# The failures again, each with its message and without its stack, last: a log shown only by its tail still says what failed.
if [ "$failed" -gt 0 ]; then
  awk '/^failed / { n++; keep = n <= 10; if (keep) print; next }
       keep && (/^    at / || /^  from /) { next }
       keep && /^  / { print; next }
       { keep = 0 }
       END { if (n > 10) print "... and " (n - 10) " more failed tests (all of them in " file ")" }' file="$log" "$log"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
