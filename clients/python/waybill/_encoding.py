"""JSON that never fails on a user's values, times as the protocol and the logs write them, and exception texts."""
from __future__ import annotations

import datetime
import json
import math
import os
import re
import time
import traceback

# The C encoder behind json.dumps: the per-message path of log records calls it directly.
encode_string = json.encoder.encode_basestring_ascii

_MAX_DEPTH = 48


def _default(value):
    """What json.dumps cannot write: paths as text, numpy-like scalars and arrays as plain values, anything else as str."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:  # mixed types: an order all the same, so equal sets record equally
            return sorted(value, key=str)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    for method in ("item", "tolist"):
        convert = getattr(value, method, None)
        if callable(convert):
            try:
                converted = convert()
            except Exception:  # a foreign type whose item() wants arguments: fall back to str
                break
            if converted is not value:
                return converted
    return str(value)


def _plain(value, depth, seen):
    """A copy that json.dumps accepts with allow_nan=False: NaN and infinities as text, keys as text, cycles cut."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if depth > _MAX_DEPTH or id(value) in seen:
        return str(value) if depth <= _MAX_DEPTH else "[nested deeper than %d levels]" % _MAX_DEPTH
    if isinstance(value, dict):
        seen.add(id(value))
        result = {str(k) if not isinstance(k, str) else k: _plain(v, depth + 1, seen) for k, v in value.items()}
        seen.discard(id(value))
        return result
    if isinstance(value, (list, tuple)):
        seen.add(id(value))
        result = [_plain(v, depth + 1, seen) for v in value]
        seen.discard(id(value))
        return result
    converted = _default(value)
    if isinstance(converted, str):
        return converted
    return _plain(converted, depth + 1, seen)


def to_json(value, indent=None):
    """JSON text of any value: valid JSON always (no NaN), ASCII with escapes, so every line is valid UTF-8."""
    separators = (",", ": ") if indent else (",", ":")
    try:
        return json.dumps(value, default=_default, allow_nan=False, separators=separators, indent=indent)
    except (ValueError, TypeError, RecursionError):
        return json.dumps(_plain(value, 0, set()), allow_nan=False, separators=separators, indent=indent)


def plain(value):
    """
    A stage's value as plain JSON data (dicts, lists, str, numbers, bools, None), nested at most 48 deep (manifests are
    read 64 levels deep at most), so that whatever a stage records, the message and the manifest are valid JSON.
    """
    return _plain(value, 0, set())


class UtcClock:
    """The protocol's time stamps (2026-12-04T21:09:48.123Z); the date part is formatted once per second."""

    __slots__ = ("_second", "_prefix")

    def __init__(self):
        self._second = -1
        self._prefix = ""

    def stamp(self, created):
        second = int(created)
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return "%s.%03dZ" % (self._prefix, int((created - second) * 1000))


class LocalClock:
    """The log lines' local time to the second ([2025-11-27 13:30:01]), formatted once per second."""

    __slots__ = ("_second", "_text")

    def __init__(self):
        self._second = -1
        self._text = ""

    def stamp(self, created):
        second = int(created)
        if second != self._second:
            self._text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._second = second
        return self._text


def utc_iso(created=None):
    """A manifest time: UTC, ISO 8601 with an offset, as Waybill's own manifests write it."""
    moment = datetime.datetime.fromtimestamp(time.time() if created is None else created, datetime.timezone.utc)
    return moment.isoformat()


def type_name(exception_type):
    """ValueError for built-ins, package.module.Error for the rest (as C# records System.IO.IOException)."""
    module = getattr(exception_type, "__module__", None)
    name = getattr(exception_type, "__qualname__", None) or getattr(exception_type, "__name__", "Exception")
    return name if module in (None, "builtins", "__main__") else module + "." + name


def describe(exception):
    """(type name, message, full traceback text) of an exception instance or an exc_info tuple; Nones without one."""
    if exception is None:
        return None, None, None
    if isinstance(exception, tuple):
        kind, value, tb = exception
    elif isinstance(exception, BaseException):
        kind, value, tb = type(exception), exception, exception.__traceback__
    else:
        return None, str(exception), str(exception)
    if kind is None:
        return None, None, None
    text = "".join(traceback.format_exception(kind, value, tb)).rstrip("\n")
    return type_name(kind), str(value), text


def failure_reason(exception):
    """ValueError: boom, as Waybill words the reason of a stage that threw."""
    exception_type, exception_message, _ = describe(exception)
    if not exception_type:
        return "exception"
    return "%s: %s" % (exception_type, exception_message) if exception_message else exception_type


# What a log line escapes (see Waybill's LogText): C0 and C1 controls, DEL, U+2028/U+2029, lone surrogates, and a
# backslash only where it would read as the start of an escape.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
_SPECIAL = re.compile("[\\\\" + _CONTROLS + "]")
_TO_ESCAPE = re.compile("\\\\(?=[\\\\nrtxu" + _CONTROLS + "])|[" + _CONTROLS + "]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape_one(match):
    c = match.group(0)
    named = _NAMED.get(c)
    if named is not None:
        return named
    code = ord(c)
    return "\\x%02X" % code if code <= 0x1F or code == 0x7F else "\\u%04X" % code


def escape_log(text):
    """One event on one line: the same escapes as Waybill's own log lines."""
    if _SPECIAL.search(text) is None:
        return text
    return _TO_ESCAPE.sub(_escape_one, text)
