"""An interpreter older than 3.9 is told so by name when it imports waybill, not with a SyntaxError."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

from .support import PACKAGE_ROOT, ScratchTest, clean_environment

INIT = os.path.join(PACKAGE_ROOT, "waybill", "__init__.py")


class VersionCheckTests(ScratchTest):
    def import_as(self, version):
        source = ("import sys\nsys.version_info = %r\nimport waybill\n" % (version,))
        return subprocess.run([sys.executable, "-c", source], env=clean_environment(), capture_output=True, text=True,
                              cwd=self.scratch, timeout=60)

    def test_python_3_8_gets_an_import_error_naming_the_version_and_the_interpreter(self):
        completed = self.import_as((3, 8, 18, "final", 0))
        self.assertEqual(1, completed.returncode)
        self.assertIn("ImportError: waybill needs Python 3.9 or newer; this is 3.8.18 at %s" % sys.executable,
                      completed.stderr)
        self.assertNotIn("SyntaxError", completed.stderr)

    def test_python_3_9_and_newer_import_it(self):
        for version in ((3, 9, 0, "final", 0), (3, 13, 1, "final", 0), (4, 0, 0, "final", 0)):
            completed = self.import_as(version)
            self.assertEqual(0, completed.returncode, completed.stderr)

    def test_the_check_runs_before_any_module_that_needs_a_new_python(self):
        with open(INIT, encoding="utf-8") as file:
            tree = ast.parse(file.read())
        kinds = [type(node).__name__ for node in tree.body]
        check = kinds.index("If")
        self.assertLess(check, kinds.index("ImportFrom"), "the version check must come before the package's imports")
        for node in ast.walk(tree):
            self.assertNotIsInstance(node, ast.JoinedStr, "no f-strings in __init__.py: old Pythons must parse it")
            self.assertFalse(type(node).__name__ == "NamedExpr", "no := in __init__.py")
            self.assertFalse(isinstance(node, ast.AnnAssign) or getattr(node, "returns", None), "no annotations")

    def test_a_real_old_interpreter_gets_the_message_when_one_is_installed(self):
        old = next((p for p in map(shutil.which, ("python3.8", "python3.7", "python3.6", "python2.7")) if p and _runs(p)), None)
        if old is None:
            self.skipTest("no Python older than 3.9 on PATH")
        completed = subprocess.run([old, "-c", "import waybill"], env=clean_environment(), capture_output=True, text=True,
                                   cwd=self.scratch, timeout=60)
        self.assertEqual(1, completed.returncode)
        self.assertIn("waybill needs Python 3.9 or newer; this is", completed.stderr)


def _runs(python):
    """A version manager's shim may name an interpreter it does not have selected: such a one does not run."""
    return subprocess.run([python, "-c", "pass"], capture_output=True, timeout=60).returncode == 0
