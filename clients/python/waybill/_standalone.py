"""
Standalone mode (no WAYBILL_STAGE_CHANNEL): the client keeps the seeds' records itself. stage.log gets every level,
the pipeline log logs/99_pipeline_<YYYYMMDD_HHMMSS>.log and the console (stderr) INFO and above, and finalize writes
manifest.json atomically with the fields and names of Waybill's own stage manifests.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
import time
import uuid

from . import __version__, _files
from ._encoding import LocalClock, describe, escape_log, failure_reason, to_json, utc_iso
from ._channel import level_name

_INFO = 20
_STAGE_FOLDER = re.compile(r"^([0-9]{2,4})_(.+)$")
_PIPELINE_LOG = re.compile(r"^99_pipeline_([0-9]{8}_[0-9]{6})(?:_([0-9]{1,5}))?\.log$")
_MARKERS = {"success": ("\u2713", "SUCCESS"), "failed": ("\u274c", "FAILED"), "skipped": ("\u23ed", "SKIPPED")}


def stage_folder(job_dir, stage_name):
    """An existing NN_<stage_name> folder of the job (the lowest number when there are several), else <stage_name>."""
    try:
        names = os.listdir(job_dir)
    except OSError:
        names = []
    numbered = []
    for name in names:
        match = _STAGE_FOLDER.match(name)
        if match and match.group(2) == stage_name and os.path.isdir(os.path.join(job_dir, name)):
            numbered.append((int(match.group(1)), name))
    return os.path.join(job_dir, min(numbered)[1]) if numbered else os.path.join(job_dir, stage_name)


def latest_pipeline_log(logs_dir):
    """The newest logs/99_pipeline_*.log by its name's time and _2, _3 suffix (as Waybill orders them), or None."""
    try:
        names = os.listdir(logs_dir)
    except OSError:
        return None
    found = []
    for name in names:
        match = _PIPELINE_LOG.match(name)
        if match:
            found.append((match.group(1), int(match.group(2) or 1), name))
    return os.path.join(logs_dir, max(found)[2]) if found else None


class _LogFile:
    """An append-only text log opened on first use; a failing log never fails the stage (one note on stderr)."""

    def __init__(self, path_of):
        self._path_of = path_of
        self._file = None
        self._broken = False
        self.path = None

    def write(self, text, flush):
        if self._broken:
            return
        try:
            if self._file is None:
                self.path = self._path_of()
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                self._file = open(self.path, "a", encoding="utf-8", errors="backslashreplace")
            self._file.write(text)
            if flush:
                self._file.flush()
        except OSError as error:
            self._broken = True
            try:
                sys.stderr.write("waybill: cannot write the log %s: %s\n" % (self.path, error))
            except Exception:
                pass

    def flush(self):
        if self._file is not None and not self._broken:
            try:
                self._file.flush()
            except OSError:
                self._broken = True

    def close(self):
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None


class StandaloneRecorder:
    standalone = True

    def __init__(self, stage_name, job_dir, stage_dir, write_manifest):
        self.stage_name = stage_name
        self.job_dir = job_dir
        self.stage_dir = stage_dir
        self.stage_id = os.path.basename(stage_dir)
        self.key = ("standalone", id(self))
        match = _STAGE_FOLDER.match(self.stage_id)
        self._stage_number = int(match.group(1)) if match else 0
        self._write_manifest = write_manifest
        self._category = "stage." + stage_name
        self._clock = LocalClock()
        self._lock = threading.RLock()
        self._started = time.time()
        self._cpu_before = _files.cpu_times()
        os.makedirs(stage_dir, exist_ok=True)
        self._stage_log = _LogFile(lambda: os.path.join(stage_dir, "stage.log"))
        self._pipeline_log = _LogFile(self._pipeline_log_path)
        self._inputs, self._outputs, self._intermediates = [], [], []
        self._lists = {"track_input": self._inputs, "track_output": self._outputs, "track_intermediate": self._intermediates}
        self._records = {}
        self._config = {}
        self._resources = {}
        self._usage = {}
        self._gpu_used = False
        self._tool_versions = {}
        self._errors, self._warnings = [], []
        self._status = None
        self._reason = None
        self._summary = None
        self._saved = False
        self._changed_after_save = False
        self._attempt = None
        self._run_id = os.environ.get("WAYBILL_RUN_ID") or str(uuid.uuid4())
        self.log(10, "stage %s runs standalone (no WAYBILL_STAGE_CHANNEL): stage folder %s, pid %d"
                 % (stage_name, stage_dir, os.getpid()), None, self._category, self._started)
        self._pipeline_line(_INFO, "\u25b6 Stage: %s" % stage_name)

    def _pipeline_log_path(self):
        logs = os.path.join(self.job_dir, "logs")
        latest = latest_pipeline_log(logs)
        return latest or os.path.join(logs, "99_pipeline_%s.log" % time.strftime("%Y%m%d_%H%M%S", time.localtime(self._started)))

    # ---- logs -----------------------------------------------------------------------------------------------

    def _line(self, category, levelno, message, created):
        return "[%s] [%s] [%s] %s\n" % (self._clock.stamp(created), category, level_name(levelno).upper(), escape_log(message))

    def log(self, levelno, message, exception_text, logger_name, created):
        line = self._line(self._category, levelno, message, created)
        detail = ""
        if exception_text:
            detail = "".join("  " + escape_log(part) + "\n" for part in exception_text.split("\n"))
        with self._lock:
            self._stage_log.write(line + detail, flush=levelno >= 30)
            if levelno >= _INFO:
                self._pipeline_log.write(line, flush=True)
                _console(line)

    def _pipeline_line(self, levelno, message):
        line = self._line("pipeline", levelno, message, time.time())
        with self._lock:
            self._pipeline_log.write(line, flush=True)
            _console(line)

    # ---- records ---------------------------------------------------------------------------------------------

    def problem(self, kind, message, exception, created=None):
        created = time.time() if created is None else created
        exception_type, exception_message, text = describe(exception)
        record = {"timestamp": utc_iso(created), "message": message}
        if exception_type:
            record["exception_type"] = exception_type
        if exception_message is not None and exception_type:
            record["exception_message"] = exception_message
        if text:
            record["stack_trace"] = text
        with self._lock:
            (self._errors if kind == "error" else self._warnings).append(record)
            self._touched()
        self.log(40 if kind == "error" else 30, message, text, self._category, created)

    def track(self, kind, path, file_type, file_format, name, metadata, retained=None, reason=None):
        key = (kind, path)
        with self._lock:
            record = self._records.get(key)
            if record is None:
                record = {"type": file_type, "path": path}
                self._records[key] = record
                self._lists[kind].append(record)
            record["type"] = file_type
            if name is not None:
                record["name"] = name
            if file_format is not None:
                record["format"] = file_format
            if retained is not None:
                record["retained"] = retained
            if reason is not None:
                record["reason"] = reason
            for field, value in (metadata or {}).items():
                record.setdefault("metadata", {})[field] = value
            self._touched()

    def set_config(self, values):
        with self._lock:
            self._config = dict(values)
            self._touched()

    def add_config(self, key, value):
        with self._lock:
            self._config[key] = value
            self._touched()

    def resources(self, values):
        with self._lock:
            self._resources.update(values)
            self._touched()

    def usage(self, unit, quantity):
        with self._lock:
            self._usage[unit] = self._usage.get(unit, 0) + quantity
            self._touched()

    def progress(self, done, total, unit):
        """Progress is shown by the engine's live display; a script run by hand has none, and nothing is recorded."""

    def gpu(self, used):
        with self._lock:
            self._gpu_used = used
            self._touched()

    def tool_version(self, tool, version):
        with self._lock:
            self._tool_versions[tool] = version
            self._touched()

    def _touched(self):
        if self._saved:
            self._changed_after_save = True

    # ---- the end ---------------------------------------------------------------------------------------------

    def finalize(self, status, reason, summary):
        with self._lock:
            changed = self._status != status
            self._status, self._reason = status, reason
            if summary:
                self._summary = dict(summary)
            self._save()
        if changed:
            seconds = time.time() - self._started
            icon, word = _MARKERS[status]
            self.log(10, "stage %s finished: %s in %.3fs" % (self.stage_name, status, seconds), None, self._category, time.time())
            if status == "failed":
                self._pipeline_line(40, "%s Stage %s: %s (%.1fs)%s" % (icon, self.stage_name, word, seconds, ": " + reason if reason else ""))
            elif status == "skipped":
                self._pipeline_line(_INFO, "%s Stage %s: %s (%s)" % (icon, self.stage_name, word, reason or "skipped"))
            else:
                self._pipeline_line(_INFO, "%s Stage %s: %s (%.1fs)" % (icon, self.stage_name, word, seconds))

    def uncaught(self, exception_info):
        """An uncaught exception ends the stage as failed, even one that had finalized as a success."""
        reason = failure_reason(exception_info)
        self.problem("error", "uncaught " + reason, exception_info)
        if self._status in (None, "success"):
            self.finalize("failed", reason, None)

    def at_exit(self):
        with self._lock:
            if self._status is None:
                self.finalize("success", None, None)
            elif self._changed_after_save:
                self._save()
            self._stage_log.close()
            self._pipeline_log.close()

    def _save(self):
        if not self._write_manifest:
            return
        manifest = self._manifest()
        path = os.path.join(self.stage_dir, "manifest.json")
        _files.write_atomically(path, (to_json(manifest, indent=2) + "\n").encode("utf-8"))
        self._saved = True
        self._changed_after_save = False

    def _previous_attempt(self):
        try:
            with open(os.path.join(self.stage_dir, "manifest.json"), "rb") as file:
                return int(json.loads(file.read().decode("utf-8")).get("attempt", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            return 0

    def _manifest(self):
        finished = time.time()
        if self._attempt is None:
            self._attempt = self._previous_attempt() + 1
        files = {name: [self._file_record(r, name) for r in tracked] for name, tracked in
                 (("inputs", self._inputs), ("outputs", self._outputs), ("intermediate_files", self._intermediates))}
        manifest = {
            "schema_version": "1.1",
            "stage": self.stage_name,
            "stage_id": self.stage_id,
            "stage_number": self._stage_number,
            "job_id": os.path.basename(os.path.normpath(self.job_dir)),
            "run_id": self._run_id,
            "attempt": self._attempt,
            "timestamp": utc_iso(self._started),
            "started_utc": utc_iso(self._started),
            "finished_utc": utc_iso(finished),
            "duration_seconds": round(finished - self._started, 3),
            "status": self._status,
        }
        if self._reason:
            manifest["status_reason"] = self._reason
        manifest.update({
            "kind": "python",
            "host": socket.gethostname(),
            "waybill_version": __version__,
            "tool_versions": dict(self._tool_versions),
        })
        manifest.update(files)
        manifest.update({
            "config": self._config,
            "resources": _files.resources(self._started, finished, self._cpu_before, self._gpu_used, self._resources,
                                        self._usage),
            "errors": list(self._errors),
            "warnings": list(self._warnings),
        })
        if self._summary:
            manifest["summary"] = self._summary
        return manifest

    def _file_record(self, tracked, list_name):
        record = _files.describe_file(tracked, self.job_dir)
        if list_name == "outputs" and "size_bytes" not in record and not os.path.isdir(tracked["path"]):
            message = "tracked output %s does not exist" % tracked["path"]
            if not any(w["message"] == message for w in self._warnings):
                self._warnings.append({"timestamp": utc_iso(), "message": message})
        return record


def _console(line):
    try:
        sys.stderr.write(line)
        sys.stderr.flush()
    except Exception:
        pass
