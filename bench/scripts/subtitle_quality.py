#!/usr/bin/env python3
"""What a viewer of the subtitles notices, measured against a truth (Python 3 standard library only).

  subtitle_quality.py wer REFERENCE HYPOTHESIS     word error rate of two texts (prints wer, substitutions, ...)
  subtitle_quality.py report TRUTH SUBTITLES.srt   every figure of subtitle-quality.sh, one "name: value" a line

TRUTH is an SRT file (cue times are compared too), a plain text file, or the truth.json that `waybill sample` writes.
Words are compared lower-cased, without punctuation or ♪ marks; apostrophes inside words stay (don't, I'm).
"""
import json
import os
import re
import sys

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a subtitle or truth file larger than this is not one
WORD = re.compile(r"[\w']+")
TIMING = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{3})")
MARKS = "♪♫♬"


def words(text):
    """Lower-cased words without punctuation: "Hello, I'm here." -> ['hello', "i'm", 'here']."""
    found = (w.strip("'") for w in WORD.findall(text.lower().replace("’", "'")))
    return [w for w in found if w and w != "_"]


def edit_counts(reference, hypothesis):
    """(substitutions, deletions, insertions) of the cheapest alignment of two word lists (Levenshtein on words)."""
    # Each cell holds (cost, substitutions, deletions, insertions); one row at a time keeps memory linear.
    previous = [(j, 0, 0, j) for j in range(len(hypothesis) + 1)]
    for i in range(1, len(reference) + 1):
        current = [(i, 0, i, 0)]
        for j in range(1, len(hypothesis) + 1):
            same = reference[i - 1] == hypothesis[j - 1]
            diagonal = previous[j - 1]
            options = [
                (diagonal[0] + (0 if same else 1), diagonal[1] + (0 if same else 1), diagonal[2], diagonal[3]),
                (previous[j][0] + 1, previous[j][1], previous[j][2] + 1, previous[j][3]),
                (current[j - 1][0] + 1, current[j - 1][1], current[j - 1][2], current[j - 1][3] + 1),
            ]
            current.append(min(options))
        previous = current
    _, substitutions, deletions, insertions = previous[-1]
    return substitutions, deletions, insertions


def word_error_rate(reference_text, hypothesis_text):
    """(wer, substitutions, deletions, insertions, reference words); an empty reference gives 0 or 1."""
    reference, hypothesis = words(reference_text), words(hypothesis_text)
    s, d, i = edit_counts(reference, hypothesis)
    if not reference:
        return (0.0 if not hypothesis else 1.0), s, d, i, 0
    return (s + d + i) / len(reference), s, d, i, len(reference)


def read_text(path):
    if os.path.getsize(path) > MAX_INPUT_BYTES:
        sys.exit(f"{path}: larger than {MAX_INPUT_BYTES} bytes; not a subtitle or truth file")
    with open(path, encoding="utf-8-sig") as f:
        return f.read()


def parse_srt(path):
    """[(start, end, [lines])] in seconds; a block without a timing line is an error naming its line."""
    cues = []
    text = read_text(path).replace("\r\n", "\n")
    line_number = 1
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        timing_at = next((k for k, line in enumerate(lines) if TIMING.search(line)), None)
        if timing_at is None:
            if block.strip():
                sys.exit(f"{path}:{line_number}: no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' timing line in this cue: {lines[0][:60]!r}")
            continue
        g = [int(x) for x in TIMING.search(lines[timing_at]).groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        cues.append((start, end, [line for line in lines[timing_at + 1:] if line.strip()]))
        line_number += len(lines) + 1
    return cues


def read_truth(path):
    """(text, first start or None, last end or None) of an SRT, a text file or a `waybill sample` truth.json."""
    if path.endswith(".srt"):
        cues = parse_srt(path)
        return " ".join(" ".join(c[2]) for c in cues), (cues[0][0] if cues else None), (cues[-1][1] if cues else None)
    if path.endswith(".json"):
        speech = json.loads(read_text(path)).get("speech") or []
        if not speech:
            return "", None, None
        return " ".join(s["text"] for s in speech), speech[0]["start"], speech[-1]["end"]
    return read_text(path), None, None


def shown_text(lines):
    return " ".join(line.strip(MARKS + " ") for line in lines).strip()


def report(truth_path, srt_path, limits):
    truth_text, truth_first, truth_last = read_truth(truth_path)
    cues = parse_srt(srt_path)
    hypothesis = " ".join(shown_text(c[2]) for c in cues)
    wer, s, d, i, n = word_error_rate(truth_text, hypothesis)
    out = [("cues", len(cues)), ("reference_words", n), ("recognised_words", len(words(hypothesis))),
           ("wer", f"{wer:.3f}"), ("substitutions", s), ("deletions", d), ("insertions", i)]
    if truth_first is not None and cues:
        out.append(("first_cue_offset_seconds", f"{cues[0][0] - truth_first:+.3f}"))
        out.append(("last_cue_offset_seconds", f"{cues[-1][1] - truth_last:+.3f}"))
    rates = [len(shown_text(c[2])) / (c[1] - c[0]) for c in cues if c[1] > c[0]]
    out.append(("chars_per_second_max", f"{max(rates):.1f}" if rates else "0.0"))
    out.append(("chars_per_second_mean", f"{sum(rates) / len(rates):.1f}" if rates else "0.0"))
    out.append((f"cues_over_{limits['cps']:g}_chars_per_second", sum(r > limits["cps"] + 1e-9 for r in rates)))
    out.append((f"lines_over_{limits['line']}_chars", sum(len(line) > limits["line"] for c in cues for line in c[2])))
    out.append((f"cues_over_{limits['lines']}_lines", sum(len(c[2]) > limits["lines"] for c in cues)))
    out.append((f"cues_under_{limits['min']:g}_seconds", sum(c[1] - c[0] < limits["min"] - 1e-9 for c in cues)))
    out.append((f"cues_over_{limits['max']:g}_seconds", sum(c[1] - c[0] > limits["max"] + 1e-9 for c in cues)))
    out.append(("overlapping_cues", sum(cues[k][0] < cues[k - 1][1] for k in range(1, len(cues)))))
    return out


def main(argv):
    if len(argv) == 4 and argv[1] == "wer":
        wer, s, d, i, n = word_error_rate(argv[2], argv[3])
        print(f"wer: {wer:.3f}\nsubstitutions: {s}\ndeletions: {d}\ninsertions: {i}\nreference_words: {n}")
        return 0
    if len(argv) == 4 and argv[1] == "report":
        limits = {"line": int(os.environ.get("MAX_LINE_CHARS", "42")), "lines": int(os.environ.get("MAX_LINES", "2")),
                  "min": float(os.environ.get("MIN_CUE_SECONDS", "0.8")), "max": float(os.environ.get("MAX_CUE_SECONDS", "7")),
                  "cps": float(os.environ.get("MAX_CHARS_PER_SECOND", "20"))}
        for name, value in report(argv[2], argv[3], limits):
            print(f"{name}: {value}")
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
