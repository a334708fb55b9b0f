#!/usr/bin/env bash
# Counts the words of a text (argument 1) into a frequency list (argument 2), and records into its stage's manifest
# through `waybill stage`: a log line, an intermediate file with the reason it is kept, a warning, resource figures
# and a config value. Each verb sends one line on the stage channel (docs/stage-protocol.md).
set -euo pipefail
text="$1"
counts="$2"

waybill stage log "counting the words of $(basename "$text")"

# One lowercase word per line, kept in the stage's .cache folder for a person to inspect.
mkdir -p .cache
tr 'A-Z' 'a-z' < "$text" | tr -cs 'a-z' '\n' | sed '/^$/d' > .cache/words.txt
total=$(wc -l < .cache/words.txt | tr -d ' ')
waybill stage track-intermediate .cache/words.txt --type tokens --reason "one word per line, kept for inspection" --meta lines="$total"

distinct=$(sort -u .cache/words.txt | wc -l | tr -d ' ')
min_distinct=20
waybill stage config min_distinct="$min_distinct"
if [ "$distinct" -lt "$min_distinct" ]; then
  waybill stage warn "only $distinct distinct words in $total: the text is very repetitive"
fi

sort .cache/words.txt | uniq -c | sort -k1,1nr -k2 > "$counts"
waybill stage resource words="$total" distinct_words="$distinct"
waybill stage log --level debug "wrote $(wc -l < "$counts" | tr -d ' ') frequencies"
