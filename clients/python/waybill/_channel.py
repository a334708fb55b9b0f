"""Protocol mode: every record is one JSON line appended to the file named by WAYBILL_STAGE_CHANNEL."""
from __future__ import annotations

import os
import sys
import threading
import time

from ._encoding import UtcClock, describe, encode_string, failure_reason, to_json

LEVEL_NAMES = {5: "trace", 10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}


def level_name(levelno):
    """The protocol's name of a logging level; custom levels fall to the standard one below them."""
    name = LEVEL_NAMES.get(levelno)
    if name is not None:
        return name
    if levelno < 10:
        return "trace"
    if levelno < 20:
        return "debug"
    if levelno < 30:
        return "info"
    if levelno < 40:
        return "warning"
    return "error" if levelno < 50 else "critical"


# The engine drops a line over 1 MiB whole; a longer text is cut here instead, so its start still reaches the log.
# JSON escapes make a character at most 6 bytes: two texts of _CUT characters and the rest of a message stay under it.
MAX_LINE = 1 << 20
_CUT = 80000
_TEXTS = ("message", "exception", "exception_message")
# The engine reads the channel ten times a second and shows only the last progress of each read: more messages than
# that would only grow the channel file.
PROGRESS_PERIOD = 0.1


def cut(text):
    """The text's first characters, marked as cut the way the engine marks it."""
    if len(text) <= _CUT:
        return text
    return text[:_CUT] + " [text truncated: %d characters dropped]" % (len(text) - _CUT)


def _log_prefix(levelno, extra=""):
    return '{"type":"log","level":"%s",%s"message":' % (level_name(levelno), extra)


_LOG_PREFIXES = {level: _log_prefix(level) for level in LEVEL_NAMES}


def _extra(exception_text, logger_name):
    """The optional fields of a log line, placed before the message so that every line ends the same way."""
    extra = ""
    if exception_text:
        extra += '"exception":%s,' % encode_string(exception_text)
    if logger_name:
        extra += '"logger":%s,' % encode_string(logger_name)
    return extra


class Channel:
    """
    Appends whole lines with one write(2) each on an O_APPEND descriptor, so lines of several writers (this process,
    its children, `waybill stage` verbs) never interleave. Opened on first use; reopened once if a write fails.
    """

    def __init__(self, path):
        self.path = path
        self._fd = -1

    def _open(self):
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def write(self, data):
        fd = self._fd
        try:
            if fd < 0:
                fd = self._open()
            written = os.write(fd, data)
        except OSError:
            # A closed or broken descriptor (a fork that closed it, a file removed under us): open again, once.
            try:
                self.close()
                fd = self._open()
                written = os.write(fd, data)
            except OSError as error:
                self._lost(data, error)
                return
        while written < len(data):  # a short write (the disk filling up): the rest follows, rather than lost
            try:
                written += os.write(fd, data[written:])
            except OSError as error:
                self._lost(data[written:], error)
                return

    def _lost(self, data, error):
        # The engine reads stderr into stage.log: the message is still recorded, as text.
        try:
            sys.stderr.write("waybill: cannot write to %s (%s): %s" % (self.path, error, data.decode("ascii", "replace")))
            sys.stderr.flush()
        except Exception:
            pass

    def close(self):
        fd, self._fd = self._fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


class ChannelRecorder:
    """Turns StageIO calls and log records into protocol messages (docs/stage-protocol.md)."""

    standalone = False

    def __init__(self, channel_path, logger_name):
        self._channel = Channel(channel_path)
        self.key = ("channel", channel_path)
        self._clock = UtcClock()
        self._logger_name = logger_name
        self._progress_lock = threading.Lock()
        self._progress_sent, self._progress_count, self._progress_held, self._progress_timer = 0.0, None, None, None

    def send(self, message):
        message.setdefault("t", self._clock.stamp(time.time()))
        line = to_json(message) + "\n"
        if len(line) > MAX_LINE and any(isinstance(message.get(k), str) and len(message[k]) > _CUT for k in _TEXTS):
            for key in _TEXTS:
                if isinstance(message.get(key), str):
                    message[key] = cut(message[key])
            line = to_json(message) + "\n"
        self._channel.write(line.encode("ascii"))

    def log(self, levelno, message, exception_text, logger_name, created):
        # The hot path of logger.debug/info (about 0.3 µs besides the write): a prefix per level and the message escaped
        # by json's C encoder. No "t": the engine stamps log lines as it reads them (it reads "t" of warnings and
        # errors), and formatting one would cost more than the rest of the line.
        if exception_text or logger_name != self._logger_name:
            prefix = _log_prefix(levelno, _extra(exception_text, logger_name if logger_name != self._logger_name else None))
        else:
            prefix = _LOG_PREFIXES.get(levelno) or _log_prefix(levelno)
        line = prefix + encode_string(message) + "}\n"
        if len(line) > MAX_LINE:
            self.log(levelno, cut(message), exception_text and cut(exception_text), logger_name, created)
            return
        self._channel.write(line.encode("ascii"))

    def problem(self, kind, message, exception, created=None):
        exception_type, exception_message, text = describe(exception)
        message = {"type": kind, "message": message}
        if text:
            message["exception"] = text
        if kind == "error" and exception_type:
            message["exception_type"] = exception_type
            message["exception_message"] = exception_message
        if created is not None:
            message["t"] = self._clock.stamp(created)
        self.send(message)

    def track(self, kind, path, file_type, file_format, name, metadata, retained=None, reason=None):
        message = {"type": kind, "path": path, "file_type": file_type}
        if file_format is not None:
            message["format"] = file_format
        if name is not None:
            message["name"] = name
        if metadata:
            message["metadata"] = metadata
        if retained is not None:
            message["retained"] = retained
        if reason is not None:
            message["reason"] = reason
        self.send(message)

    def set_config(self, values):
        self.send({"type": "set_config", "values": values})

    def add_config(self, key, value):
        self.send({"type": "add_config", "key": key, "value": value})

    def resources(self, values):
        self.send({"type": "resources", "values": values})

    def usage(self, unit, quantity):
        self.send({"type": "usage", "unit": unit, "quantity": quantity})

    def progress(self, done, total, unit):
        # A loop may report every item: a count is sent at most once a PROGRESS_PERIOD, its start and end always (a new
        # total or unit starts a new count); the last one held back is sent when the period is over, so the display
        # never stays behind a stage that pauses.
        with self._progress_lock:
            now, count = time.monotonic(), (total, unit)
            if 0 < done < total and self._progress_count == count and now - self._progress_sent < PROGRESS_PERIOD:
                self._progress_held = done
                if self._progress_timer is None:
                    self._progress_timer = threading.Timer(self._progress_sent + PROGRESS_PERIOD - now, self._progress_late)
                    self._progress_timer.daemon = True
                    self._progress_timer.start()
                return
            self._progress_held = None
            self._send_progress(now, done, count)

    def _progress_late(self):
        with self._progress_lock:
            self._progress_timer = None
            if self._progress_held is not None:
                done, self._progress_held = self._progress_held, None
                self._send_progress(time.monotonic(), done, self._progress_count)

    def _send_progress(self, now, done, count):
        self._progress_sent, self._progress_count = now, count
        line = '{"type":"progress","done":%d,"total":%d,"unit":%s}\n' % (done, count[0], encode_string(count[1]))
        self._channel.write(line.encode("ascii"))

    def gpu(self, used):
        self.send({"type": "gpu", "used": used})

    def tool_version(self, tool, version):
        self.send({"type": "tool_version", "tool": tool, "version": version})

    def finalize(self, status, reason, summary):
        message = {"type": "finalize", "status": status}
        if reason is not None:
            message["reason"] = reason
        if summary:
            message["summary"] = summary
        self.send(message)

    def uncaught(self, exception_info):
        # The process exits non-zero next, and that fails the stage; this records why, with the traceback.
        self.problem("error", "uncaught " + failure_reason(exception_info), exception_info)

    def at_exit(self):
        self._channel.close()
