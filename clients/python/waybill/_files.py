"""Standalone mode's file work: file records (size, mtime, sha256), resource figures, atomic writes."""
from __future__ import annotations

import hashlib
import os
import random
import stat

from ._encoding import utc_iso

try:
    import resource as _resource  # not on Windows
except ImportError:  # pragma: no cover
    _resource = None

# A file record's own fields (Manifests/FileRecord, docs/manifest.md); metadata sits beside them, never in their place.
RECORD_FIELDS = frozenset((
    "name", "type", "path", "location", "format", "size_bytes", "mtime", "checksum", "from_stage", "from_output",
    "retained", "reason", "deleted_at", "deleted_reason", "metadata",
))

# The resources Waybill measures (Manifests/ResourceUsage); a figure of the same name given by a stage is not recorded.
MEASURED = frozenset(("wall_seconds", "cpu_user_seconds", "cpu_system_seconds", "cpu_seconds", "cpu_percent", "peak_rss_mb",
                      "peak_rss_upper_bound", "gpu_used", "measured_by", "usage"))


def relative_to_job(path, job_dir):
    """(manifest path, location): relative with forward slashes inside the job folder, absolute outside it."""
    job = os.path.abspath(job_dir)
    if path == job or path.startswith(job.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, job).replace(os.sep, "/"), "job"
    return path, "external"


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def describe_file(tracked, job_dir):
    """The manifest record of a tracked file: the fields in Waybill's order, then the metadata beside them."""
    path = tracked["path"]
    relative, location = relative_to_job(path, job_dir)
    record = {}
    if "name" in tracked:
        record["name"] = tracked["name"]
    record["type"] = tracked["type"]
    record["path"] = relative
    record["location"] = location
    extension = os.path.splitext(path)[1]
    file_format = tracked.get("format") or (extension[1:].lower() if len(extension) > 1 else None)
    if file_format:
        record["format"] = file_format
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode):
            record["size_bytes"] = info.st_size
            record["mtime"] = utc_iso(info.st_mtime)
            record["checksum"] = sha256_of(path)
    except OSError:
        pass  # gone, or not readable: a record without size and checksum, as Waybill writes one
    for field in ("retained", "reason"):
        if field in tracked:
            record[field] = tracked[field]
    record.update(tracked.get("metadata", {}))
    return record


def cpu_times():
    """(user, system) CPU seconds of this process and its waited-for children so far."""
    if _resource is None:
        times = os.times()
        return times.user + times.children_user, times.system + times.children_system
    own = _resource.getrusage(_resource.RUSAGE_SELF)
    children = _resource.getrusage(_resource.RUSAGE_CHILDREN)
    return own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime


def _peak_rss_mb():
    if _resource is None:
        return 0.0
    peak = max(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss, _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss)
    # Linux counts KiB, macOS bytes.
    return round(peak / (1024.0 * 1024.0) if os.uname().sysname == "Darwin" else peak / 1024.0, 1)


def resources(started, finished, cpu_before, gpu_used, extra, usage=None):
    """The manifest's resources: the process's time and memory, then the stage's own figures."""
    user, system = cpu_times()
    user, system = max(0.0, user - cpu_before[0]), max(0.0, system - cpu_before[1])
    wall = max(0.0, finished - started)
    figures = {
        "wall_seconds": round(wall, 3),
        "cpu_user_seconds": round(user, 3),
        "cpu_system_seconds": round(system, 3),
        "cpu_seconds": round(user + system, 3),
        "cpu_percent": round((user + system) / wall * 100.0, 1) if wall > 0 else 0.0,
        "peak_rss_mb": _peak_rss_mb(),
        "gpu_used": bool(gpu_used),
        "measured_by": "in-process+children",
    }
    for key, value in extra.items():
        if key not in MEASURED:
            figures[key] = value
    if usage:
        figures["usage"] = dict(usage)
    return figures


def write_atomically(path, content):
    """Temp file beside the target (named like Waybill's own), then rename: a reader sees the old or the new file."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, ".%s.%d.%08x.tmp" % (name, os.getpid(), random.getrandbits(32)))
    try:
        with open(temp, "xb") as file:
            file.write(content)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
