"""Declared inputs and outputs (WAYBILL_IN_<NAME>, WAYBILL_OUT_<NAME>) and the rules for paths in a stage folder."""
from __future__ import annotations

import os
import pathlib

# What the engine writes at the top of a stage folder (Pipeline/StageFolderNames.Reserved), compared ignoring case.
RESERVED = ("manifest.json", "stage.log", "events.jsonl")


def env_name(name):
    """A port name as the engine spells it in variables: upper case, '-' as '_'."""
    return name.upper().replace("-", "_")


def declared(prefix, environment=None):
    """{VARIABLE SUFFIX: path} of the declared inputs (prefix WAYBILL_IN_) or outputs (WAYBILL_OUT_), in name order."""
    environment = os.environ if environment is None else environment
    return {k[len(prefix):]: v for k, v in sorted(environment.items()) if k.startswith(prefix) and len(k) > len(prefix) and v}


def lookup(kind, prefix, name, where, stage_dir=None):
    """
    A declared file by port name (case and '-'/'_' ignored), else by file name (or path inside the stage folder);
    None when nothing matches, a LookupError when several files have that name.
    """
    files = declared(prefix)
    text = os.fspath(name)
    wanted = env_name(text)
    if wanted in files:
        return pathlib.Path(files[wanted])
    matches = [path for path in files.values() if os.path.basename(path) == text
               or (stage_dir is not None and _relative(path, stage_dir) == os.path.normpath(text))]
    if len(matches) > 1:
        raise LookupError("%s: more than one declared %s is named '%s' (%s); ask by port name: %s"
                          % (where, kind, text, ", ".join(matches), _listing(files)))
    return pathlib.Path(matches[0]) if matches else None


def missing_input(name, where):
    """The error for an input nobody declared, listing those that are."""
    files = declared("WAYBILL_IN_")
    if not files:
        return LookupError("%s declares no inputs, so there is no input '%s'. Declare it in the pipeline file "
                           "(inputs: {%s: ...}), or outside Waybill set WAYBILL_IN_%s=/path/to/file"
                           % (where, name, name, env_name(os.fspath(name).replace(".", "_"))))
    return LookupError("%s has no input '%s' (by port name or file name); declared inputs: %s"
                       % (where, name, _listing(files)))


def _relative(path, stage_dir):
    try:
        return os.path.relpath(path, stage_dir)
    except ValueError:
        return None


def _listing(files):
    return ", ".join("%s (%s)" % (port.lower(), path) for port, path in files.items())


def inside_stage(stage_dir, relative):
    """A path inside the stage folder; absolute paths, '..', hidden names and the engine's own files are refused."""
    text = os.fspath(relative)
    problem = None
    if not text or os.path.isabs(text):
        problem = "must be a relative path inside the stage folder"
    else:
        parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            problem = "leaves the stage folder ('..'); outputs are written inside it"
        elif parts[0].startswith("."):
            problem = "is hidden; hidden names in a stage folder are the engine's (.cache, temp files of atomic writes)"
        elif parts[0].lower() in RESERVED:
            problem = "is a file the engine writes for its own records"
    if problem:
        raise ValueError("output path '%s' %s (stage folder %s)" % (text, problem, stage_dir))
    return pathlib.Path(stage_dir, *parts)
