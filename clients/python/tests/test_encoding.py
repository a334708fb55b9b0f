"""JSON that never fails on a stage's values, the protocol's times, and log text escaped as Waybill escapes it."""
from __future__ import annotations

import datetime
import json
import pathlib
import re
import time
import unittest

from waybill import _encoding


class FakeScalar:
    """Stands for a numpy scalar: not JSON, but item() gives the plain value."""

    def item(self):
        return 7


class JsonTests(unittest.TestCase):
    def test_values_json_cannot_write_become_plain_values_or_text(self):
        cycle = []
        cycle.append(cycle)
        value = {
            "path": pathlib.Path("/srv/a.wav"), "nan": float("nan"), "inf": float("-inf"), "set": {"b", "a"},
            "bytes": b"ab\xff", "when": datetime.date(2025, 11, 27), "scalar": FakeScalar(), 3: "int key",
            (1, 2): "tuple key", "cycle": cycle, "object": object,
        }
        parsed = json.loads(_encoding.to_json(value))
        self.assertEqual(parsed, _encoding.plain(value))
        self.assertEqual("/srv/a.wav", parsed["path"])
        self.assertEqual(("nan", "-inf"), (parsed["nan"], parsed["inf"]))
        self.assertEqual(["a", "b"], parsed["set"])
        self.assertEqual([1, 2, 10], _encoding.plain({10, 2, 1}))
        self.assertEqual("ab\\xff", parsed["bytes"])
        self.assertEqual("2025-11-27", parsed["when"])
        self.assertEqual(7, parsed["scalar"])
        self.assertEqual("int key", parsed["3"])
        self.assertEqual("tuple key", parsed["(1, 2)"])
        self.assertEqual("<class 'object'>", parsed["object"])
        self.assertIsInstance(parsed["cycle"], list)

    def test_json_text_is_ascii_even_for_lone_surrogates(self):
        text = _encoding.to_json({"m": "\u00fc \ud800"})
        text.encode("ascii")
        self.assertEqual("\u00fc \ud800", json.loads(text)["m"])

    def test_deep_nesting_is_cut_not_a_crash(self):
        deep = current = {}
        for _ in range(2000):
            current["d"] = {}
            current = current["d"]
        self.assertIn("nested deeper than", _encoding.to_json(_encoding.plain(deep)))


class TimeTests(unittest.TestCase):
    def test_protocol_times_are_utc_with_milliseconds(self):
        clock = _encoding.UtcClock()
        self.assertEqual("2025-11-27T13:30:01.041Z", clock.stamp(1764250201.0415))
        self.assertEqual("2025-11-27T13:30:02.999Z", clock.stamp(1764250202.9999))

    def test_log_times_are_local_to_the_second(self):
        now = time.time()
        self.assertEqual(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(now))), _encoding.LocalClock().stamp(now))

    def test_manifest_times_carry_their_offset(self):
        self.assertRegex(_encoding.utc_iso(1764250201.5), r"^2025-11-27T13:30:01\.500000\+00:00$")


class EscapeTests(unittest.TestCase):
    def test_plain_text_is_kept(self):
        text = "Transcription complete: 142 segments, é, 中文, C:\\path\\file"
        self.assertIs(text, _encoding.escape_log(text))

    def test_controls_and_separators_are_escaped_and_backslashes_only_where_they_would_read_as_one(self):
        cases = {
            "a\nb": "a\\nb", "a\r\nb": "a\\r\\nb", "tab\there": "tab\\there", "\x1b[31m": "\\x1B[31m",
            "nul\x00": "nul\\x00", "del\x7f": "del\\x7F", "c1\x85": "c1\\u0085", "ls\u2028": "ls\\u2028",
            "lone\ud800": "lone\\uD800", "C:\\new": "C:\\\\new", "a\\b": "a\\b", "end\\": "end\\", "\\\\": "\\\\\\",
            "\\x41": "\\\\x41", "back\\\n": "back\\\\\\n",
        }
        for text, expected in cases.items():
            self.assertEqual(expected, _encoding.escape_log(text), repr(text))

    def test_one_event_stays_one_line(self):
        escaped = _encoding.escape_log("line\n[2025-01-01 00:00:00] [pipeline] [ERROR] forged")
        self.assertNotIn("\n", escaped)
        self.assertIsNone(re.search(r"[\x00-\x1f]", escaped))


class ExceptionTests(unittest.TestCase):
    def test_exceptions_are_described_by_type_message_and_traceback(self):
        try:
            json.loads("{")
        except ValueError as error:
            kind, message, text = _encoding.describe(error)
        self.assertEqual("json.decoder.JSONDecodeError", kind)
        self.assertIn("Expecting property name", message)
        self.assertTrue(text.startswith("Traceback (most recent call last):"))
        self.assertEqual((None, None, None), _encoding.describe(None))
        self.assertEqual("KeyError: 'x'", _encoding.failure_reason(KeyError("x")))


if __name__ == "__main__":
    unittest.main()
