"""StageIO: the seeds' stage API (shared/stage_utils.py in the original), for Python stages of a Waybill pipeline."""
from __future__ import annotations

import atexit
import logging
import math
import os
import pathlib
import re
import time
import unicodedata
from collections.abc import Mapping

from . import _files, _paths
from ._channel import ChannelRecorder
from ._encoding import plain
from ._logging import attach, watch
from ._standalone import StandaloneRecorder, stage_folder

_STATUSES = ("success", "failed", "skipped")
_UNIT = re.compile(r"\A[a-z][a-z0-9_]{0,63}\Z")


class StageIO:
    """
    One stage's logger, paths and records. Inside a Waybill command stage (WAYBILL_STAGE_CHANNEL is set) every call
    becomes a message of the stage protocol and the engine writes stage.log, the pipeline log and manifest.json.
    Without it (a script run by hand) the client writes them itself, in <job_dir>/<stage folder>/.

    stage_io = StageIO("demux", job_dir)
    logger = stage_io.get_stage_logger("DEBUG")
    stage_io.track_input(video, "video", format="mp4")
    stage_io.track_output(audio, "audio", format="wav", sample_rate=16000)
    stage_io.report_progress(3, 8, "segments")   # a bar in the live display of `waybill run`
    stage_io.finalize(status="success", output_size_mb=1.5)
    """

    def __init__(self, stage_name, job_dir=None, enable_manifest=True):
        self.stage_name = str(stage_name)
        environment_job = os.environ.get("WAYBILL_JOB_DIR")
        chosen = job_dir if job_dir is not None else environment_job or os.getcwd()
        self.job_dir = pathlib.Path(os.path.abspath(os.fspath(chosen)))
        self.enable_manifest = bool(enable_manifest)
        self.finalized = False
        channel = os.environ.get("WAYBILL_STAGE_CHANNEL")
        # The engine's channel is this stage's only when the script works in the engine's job (not in another one).
        if channel and (not environment_job or _same_folder(self.job_dir, environment_job)):
            self.stage_dir = pathlib.Path(os.environ.get("WAYBILL_STAGE_DIR") or stage_folder(str(self.job_dir), self.stage_name))
            self._recorder = ChannelRecorder(channel, "stage." + self.stage_name)
        else:
            self.stage_dir = pathlib.Path(stage_folder(str(self.job_dir), self.stage_name))
            self._recorder = StandaloneRecorder(self.stage_name, str(self.job_dir), str(self.stage_dir), self.enable_manifest)
        self.stage_id = (None if self.standalone else os.environ.get("WAYBILL_STAGE_ID")) or self.stage_dir.name
        watch(self)
        atexit.register(self._recorder.at_exit)

    @property
    def standalone(self):
        """True when the client writes the records itself (no Waybill engine behind it)."""
        return self._recorder.standalone

    def __repr__(self):
        return "StageIO(%r, %r, %s)" % (self.stage_name, str(self.job_dir), "standalone" if self.standalone else "protocol")

    # ---- logging ---------------------------------------------------------------------------------------------

    def get_stage_logger(self, level="INFO"):
        """
        The standard logger 'stage.<name>': DEBUG and INFO go to stage.log (INFO also to the pipeline log and the
        console), WARNING and ERROR are also recorded in the manifest's warnings[] and errors[].
        """
        logger = logging.getLogger("stage." + self.stage_name)
        logger.setLevel(level.upper() if isinstance(level, str) else level)
        attach(logger, self._recorder)
        # The records go through the stage's own channel; the root's handlers would print them a second time.
        logger.propagate = False
        return logger

    # ---- paths -----------------------------------------------------------------------------------------------

    def get_input_path(self, name):
        """A declared input by port name (case and '-'/'_' ignored) or by file name; LookupError naming them else."""
        found = _paths.lookup("input", "WAYBILL_IN_", name, self._where())
        if found is None:
            raise _paths.missing_input(name, self._where())
        return found

    def get_output_path(self, name):
        """A declared output by port name or file name, else that path inside the stage folder; its folder is created."""
        found = _paths.lookup("output", "WAYBILL_OUT_", name, self._where(), str(self.stage_dir))
        path = found if found is not None else _paths.inside_stage(str(self.stage_dir), name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _where(self):
        return "stage %s" % self.stage_id

    # ---- fan-out ---------------------------------------------------------------------------------------------

    @property
    def item(self):
        """
        The fan-out item this stage run is for (the stage has 'foreach:' or follows one): a dict with 'key', 'value' and,
        for 'foreach: { files: ... }', 'path'; None for a stage that runs once.
        """
        key = os.environ.get("WAYBILL_ITEM_KEY")
        if key is None:
            return None
        return {"key": key, "value": os.environ.get("WAYBILL_ITEM_VALUE", ""), "path": os.environ.get("WAYBILL_ITEM_PATH")}

    def get_input_paths(self, name):
        """Every file of a gather input ('all: 06_asr.segments[*]'), in item order; LookupError when it is no gather."""
        listing = os.environ.get("WAYBILL_IN_" + _paths.env_name(os.fspath(name)) + "_LIST")
        if listing is None:
            raise LookupError("%s: '%s' is not a gather input (declare it as <stage>.<output>[*])" % (self._where(), name))
        with open(listing, encoding="utf-8") as lines:
            return [pathlib.Path(line.rstrip("\n")) for line in lines if line.strip()]

    # ---- records ---------------------------------------------------------------------------------------------

    def track_input(self, path, type="file", format=None, name=None, **metadata):
        """Records a file the stage read; keyword arguments are metadata written beside the record's fields."""
        self._track("track_input", path, type, format, name, metadata)

    def track_output(self, path, type="file", format=None, name=None, **metadata):
        """Records a file the stage produced (checksummed when the stage ends)."""
        self._track("track_output", path, type, format, name, metadata)

    def track_intermediate(self, path, type="intermediate", retained=True, reason=None, **metadata):
        """Records a cache or temp file, whether it is kept after the stage (retained) and why (reason)."""
        self._track("track_intermediate", path, type, None, None, metadata, bool(retained), None if reason is None else str(reason))

    def _track(self, kind, path, file_type, file_format, name, metadata, retained=None, reason=None):
        full = os.path.abspath(os.fspath(path))
        # The engine refuses a whole record whose metadata takes a field's name: the file is tracked without that key.
        for key in [k for k in metadata if k in _files.RECORD_FIELDS]:
            del metadata[key]
            self.add_warning("%s: metadata '%s' of %s names a field the manifest records itself; not recorded "
                             "(give it another name)" % (kind, key, full))
        self._recorder.track(kind, full, str(file_type), None if file_format is None else str(file_format),
                             None if name is None else str(name), plain(metadata) if metadata else None, retained, reason)

    def set_config(self, config):
        """Replaces the recorded config."""
        self._recorder.set_config(plain(_mapping(config, "set_config")))

    def add_config(self, key, value):
        self._recorder.add_config(str(key), plain(value))

    def add_warning(self, message, exc=None):
        """Records a warning (with its time, and the exception when given) and logs it at WARNING."""
        self._recorder.problem("warning", str(message), exc)

    def add_error(self, message, exc=None):
        """Records an error (with its time and exception) and logs it at ERROR; the stage still decides its status."""
        self._recorder.problem("error", str(message), exc)

    def set_resources(self, figures=None, **more):
        """Adds figures to the manifest's resources (cpu_percent=45.2, memory_mb=4096, ...); gpu_used as set_gpu_used."""
        values = dict(_mapping(figures, "set_resources")) if figures is not None else {}
        values.update(more)
        if "gpu_used" in values:
            self.set_gpu_used(bool(values.pop("gpu_used")))
        for key in [k for k in values if k in _files.MEASURED]:
            self._recorder.log(logging.DEBUG, "resources.%s is measured by Waybill; the figure given (%s) is not recorded"
                               % (key, values.pop(key)), None, "stage." + self.stage_name, time.time())
        if values:
            self._recorder.resources(plain(values))

    def report_usage(self, unit, quantity):
        """Records that the stage used quantity of unit (report_usage("tokens", 1234)): added up in resources.usage, priced
        by the run's rate card when it names the unit (declare it on the stage: reports: [tokens])."""
        unit = str(unit)
        if not _UNIT.match(unit) or unit in ("cpu_hour", "memory_gb_hour", "gpu_hour"):
            raise ValueError("report_usage: %r is not a unit a stage reports (a lower-case name of letters, digits and '_', "
                             "at most 64 characters; not cpu_hour, memory_gb_hour or gpu_hour)" % unit)
        if isinstance(quantity, bool) or not isinstance(quantity, (int, float)) or not math.isfinite(quantity) or quantity < 0:
            raise ValueError("report_usage: the quantity of %s must be a number, zero or more, not %r" % (unit, quantity))
        self._recorder.usage(unit, quantity)

    def report_progress(self, done, total, unit="items"):
        """Tells the run how far the stage is (report_progress(3, 8, "segments")): `waybill run` on a terminal shows it as a
        bar with the time left while the stage runs. Cheap enough to call for every item (at most ten messages a second
        are sent: the first and the last of a count at once, one held back a tenth of a second later); nothing is
        recorded, and a script run by hand shows nothing."""
        done, total = _whole("done", done, 0), _whole("total", total, 1)
        unit = str(unit)
        if not unit.strip() or len(unit) > 32 or any(unicodedata.category(c) in ("Cc", "Cf") for c in unit):
            raise ValueError("report_progress: the unit %r must be a word or two of at most 32 characters, without control "
                             "characters (segments, frames)" % unit)
        self._recorder.progress(min(done, total), total, unit)

    def set_gpu_used(self, used=True):
        """Marks that the stage ran on a GPU (resources.gpu_used)."""
        self._recorder.gpu(bool(used))

    def set_tool_version(self, tool, version):
        """Records the version of a tool the stage used (tool_versions)."""
        self._recorder.tool_version(str(tool), str(version))

    def finalize(self, status="success", reason=None, **summary):
        """Ends the stage with success, failed or skipped; keyword arguments are the manifest's summary figures."""
        text = str(getattr(status, "value", status)).lower()
        if text not in _STATUSES:
            raise ValueError("finalize: status must be one of %s, not %r" % (", ".join(_STATUSES), status))
        self.finalized = True
        self._recorder.finalize(text, None if reason is None else str(reason), plain(summary) if summary else None)

    def _uncaught(self, exception_info):
        self._recorder.uncaught(exception_info)


def _whole(name, value, least):
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError("report_progress: %s must be a whole number %d or more, not %r" % (name, least, value))
    return value


def _mapping(value, where):
    if isinstance(value, Mapping):
        return value
    try:
        return dict(value)
    except (TypeError, ValueError):
        raise TypeError("%s takes a dict (or keyword arguments), not %s" % (where, type(value).__name__)) from None


def _same_folder(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
