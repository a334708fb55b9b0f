"""Helpers of the client's tests: scratch folders and scripts run in a fresh interpreter with a chosen environment."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def clean_environment(**variables):
    """This process's environment without any WAYBILL_* variable, the package importable, then the given variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAYBILL_")}
    environment["PYTHONPATH"] = PACKAGE_ROOT
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment.update({k: str(v) for k, v in variables.items()})
    return environment


def run_script(source, cwd, **variables):
    """Writes the (dedented) source to a script beside cwd and runs it there; returns the completed process (text)."""
    handle, script = tempfile.mkstemp(suffix=".py", prefix="stage-", dir=os.path.dirname(os.path.abspath(cwd)))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(textwrap.dedent(source))
        return subprocess.run([sys.executable, script], cwd=cwd, env=clean_environment(**variables),
                              capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(script)


def read_lines(path):
    with open(path, encoding="utf-8") as file:
        return file.read().splitlines()


def read_messages(path):
    """The channel's messages; fails the test on a line that is not one whole JSON object."""
    with open(path, "rb") as file:
        data = file.read()
    assert data.endswith(b"\n") or not data, "the channel ends in a cut line"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


class ScratchTest(unittest.TestCase):
    """A test with its own scratch folder (under TMPDIR), removed afterwards."""

    def setUp(self):
        self._scratch = tempfile.TemporaryDirectory(prefix="waybill-client-")
        self.scratch = self._scratch.name

    def tearDown(self):
        self._scratch.cleanup()

    def path(self, *parts):
        return os.path.join(self.scratch, *parts)

    def assertRan(self, completed, code=0):
        self.assertEqual(code, completed.returncode, "exit %d\nstdout:\n%s\nstderr:\n%s"
                         % (completed.returncode, completed.stdout, completed.stderr))
