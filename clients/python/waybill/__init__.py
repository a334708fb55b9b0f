"""Waybill's Python stage client: the StageIO of the seeds.

Inside a Waybill command stage it speaks the stage protocol (one JSON line per message on the file named by
WAYBILL_STAGE_CHANNEL), so logs, tracked files, config, warnings and errors land in the engine's records.
Run on its own it writes stage.log, the pipeline log and manifest.json itself.

This file stays readable by old Pythons (no f-strings, no annotations), so that they fail with a clear message
instead of a SyntaxError somewhere inside the package.
"""
import sys

__version__ = "0.1.0"

if tuple(sys.version_info[:2]) < (3, 9):
    raise ImportError(
        "waybill needs Python 3.9 or newer; this is %d.%d.%d at %s"
        % (sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.executable or "an unknown interpreter")
    )

from .stage_io import StageIO  # noqa: E402

__all__ = ["StageIO", "__version__"]
