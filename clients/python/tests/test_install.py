"""pip install clients/python: the package installs into a virtual environment and imports from there."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from .support import PACKAGE_ROOT, ScratchTest, clean_environment


# Can this interpreter build the package without the network: setuptools with bdist_wheel (its own from 70.1, else
# the wheel package)? Debian's python3 can once python3-setuptools and python3-wheel are installed (scripts/setup.sh).
_CAN_BUILD = """
import setuptools
try:
    import wheel
except ImportError:
    from setuptools.command import bdist_wheel
"""


def _builder():
    """The interpreter running the tests when it can build offline, else the system's python3."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", _CAN_BUILD], capture_output=True, timeout=60).returncode == 0:
            return candidate
    return None


class InstallTests(ScratchTest):
    def test_pip_installs_the_package_into_a_venv_offline(self):
        python = _builder()
        self.assertIsNotNone(python, "no Python here can build a package offline: install setuptools and wheel "
                             "(Debian: apt-get install python3-venv python3-setuptools python3-wheel; scripts/setup.sh does)")
        # A copy: building writes build/ and *.egg-info beside the sources.
        source = self.path("source")
        shutil.copytree(PACKAGE_ROOT, source, ignore=shutil.ignore_patterns("__pycache__", "tests", "build", "*.egg-info"))
        venv = self.path("venv")
        # The system site-packages lend pip and setuptools (the declared build backend): no network, and a venv in a moment.
        created = subprocess.run([python, "-m", "venv", "--system-site-packages", "--without-pip", venv], capture_output=True,
                                 text=True, timeout=300)
        self.assertEqual(0, created.returncode, "python3 -m venv failed (Debian: apt-get install python3-venv): "
                         + created.stderr)
        python = os.path.join(venv, "bin", "python")
        environment = clean_environment(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
        del environment["PYTHONPATH"]
        installed = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", source],
                                   env=environment, capture_output=True, text=True, cwd=self.scratch, timeout=300)
        self.assertEqual(0, installed.returncode, installed.stdout + installed.stderr)
        imported = subprocess.run([python, "-c", "import waybill; print(waybill.__version__); print(waybill.__file__); print(waybill.StageIO)"],
                                  env=environment, capture_output=True, text=True, cwd=self.scratch, timeout=60)
        self.assertEqual(0, imported.returncode, imported.stderr)
        version, location, _ = imported.stdout.splitlines()
        self.assertEqual(self._version(), version)
        self.assertTrue(location.startswith(venv + os.sep), location)
        self.assertIn("site-packages", location)

    @staticmethod
    def _version():
        with open(os.path.join(PACKAGE_ROOT, "waybill", "__init__.py"), encoding="utf-8") as file:
            for line in file:
                if line.startswith("__version__"):
                    return line.split('"')[1]
        raise AssertionError("no __version__")
