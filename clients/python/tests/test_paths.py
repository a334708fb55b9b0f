"""get_input_path and get_output_path: declared files by port name or file name, and paths kept inside the stage."""
from __future__ import annotations

import os
import pathlib
import unittest
from unittest import mock

from waybill import _paths

from .support import ScratchTest, run_script

DECLARED = {
    "WAYBILL_IN_INPUT_MEDIA": "/job/01_make/clip.mp4",
    "WAYBILL_IN_SEGMENTS": "/job/05_asr/segments.json",
    "WAYBILL_OUT_AUDIO": "/job/02_demux/audio.wav",
    "WAYBILL_OUT_REPORT": "/job/02_demux/reports/summary.json",
    "WAYBILL_JOB_DIR": "/job",
}


@mock.patch.dict(os.environ, DECLARED)
class DeclaredFileTests(unittest.TestCase):
    def lookup_input(self, name):
        return _paths.lookup("input", "WAYBILL_IN_", name, "stage 02_demux")

    def lookup_output(self, name):
        return _paths.lookup("output", "WAYBILL_OUT_", name, "stage 02_demux", "/job/02_demux")

    def test_an_input_is_found_by_port_name_ignoring_case_and_dash_or_underscore(self):
        for name in ("input_media", "INPUT_MEDIA", "input-media", "Input-Media"):
            self.assertEqual(pathlib.Path("/job/01_make/clip.mp4"), self.lookup_input(name), name)

    def test_an_input_is_found_by_file_name(self):
        self.assertEqual(pathlib.Path("/job/05_asr/segments.json"), self.lookup_input("segments.json"))
        self.assertEqual(pathlib.Path("/job/01_make/clip.mp4"), self.lookup_input(pathlib.Path("clip.mp4")))

    def test_an_undeclared_input_is_an_error_listing_the_declared_ones(self):
        self.assertIsNone(self.lookup_input("input.json"))
        error = _paths.missing_input("input.json", "stage 02_demux")
        self.assertIsInstance(error, LookupError)
        self.assertEqual("stage 02_demux has no input 'input.json' (by port name or file name); declared inputs: "
                         "input_media (/job/01_make/clip.mp4), segments (/job/05_asr/segments.json)", str(error))

    def test_without_declared_inputs_the_error_says_how_to_declare_one(self):
        with mock.patch.dict(os.environ, {"WAYBILL_IN_INPUT_MEDIA": "", "WAYBILL_IN_SEGMENTS": ""}):
            message = str(_paths.missing_input("input.json", "stage my_stage"))
        self.assertIn("stage my_stage declares no inputs", message)
        self.assertIn("set WAYBILL_IN_INPUT_JSON=/path/to/file", message)

    def test_two_inputs_with_one_file_name_must_be_asked_for_by_port(self):
        with mock.patch.dict(os.environ, {"WAYBILL_IN_OTHER": "/elsewhere/segments.json"}):
            with self.assertRaisesRegex(LookupError, "more than one declared input is named 'segments.json'"):
                self.lookup_input("segments.json")

    def test_an_output_is_found_by_port_name_file_name_or_path_in_the_stage_folder(self):
        self.assertEqual(pathlib.Path("/job/02_demux/audio.wav"), self.lookup_output("audio"))
        self.assertEqual(pathlib.Path("/job/02_demux/audio.wav"), self.lookup_output("audio.wav"))
        self.assertEqual(pathlib.Path("/job/02_demux/reports/summary.json"), self.lookup_output("reports/summary.json"))
        self.assertIsNone(self.lookup_output("metadata.json"))

    def test_other_outputs_stay_inside_the_stage_folder(self):
        self.assertEqual(pathlib.Path("/job/02_demux/metadata.json"), _paths.inside_stage("/job/02_demux", "metadata.json"))
        self.assertEqual(pathlib.Path("/job/02_demux/a/b.txt"), _paths.inside_stage("/job/02_demux", "./a//b.txt"))
        for bad, why in (("../01_make/clip.mp4", "leaves the stage folder"), ("a/../../x", "leaves the stage folder"),
                         ("/etc/passwd", "must be a relative path"), ("", "must be a relative path"),
                         (".cache/x", "hidden"), ("manifest.json", "the engine writes"), ("Stage.log", "the engine writes")):
            with self.assertRaisesRegex(ValueError, why, msg=bad):
                _paths.inside_stage("/job/02_demux", bad)


class StageIOPathTests(ScratchTest):
    def test_get_output_path_creates_the_folder_and_get_input_path_raises_a_lookup_error(self):
        job = self.path("job")
        completed = run_script("""
import os
from waybill import StageIO
io = StageIO("demux", os.environ["WAYBILL_JOB_DIR"])
print(io.get_input_path("clip.mp4"))
path = io.get_output_path("reports/metadata.json")
print(path, path.parent.is_dir())
try:
    io.get_input_path("input.json")
except LookupError as e:
    print(e)
""", self.scratch, WAYBILL_JOB_DIR=job, WAYBILL_IN_VIDEO="/media/clip.mp4")
        self.assertRan(completed)
        lines = completed.stdout.splitlines()
        self.assertEqual("/media/clip.mp4", lines[0])
        self.assertEqual("%s True" % os.path.join(job, "demux", "reports", "metadata.json"), lines[1])
        self.assertEqual("stage demux has no input 'input.json' (by port name or file name); declared inputs: "
                         "video (/media/clip.mp4)", lines[2])


class FanOutTests(ScratchTest):
    def test_item_and_a_gathers_files_come_from_the_engines_variables(self):
        listing = self.path("all.list")
        with open(listing, "w", encoding="utf-8") as file:
            file.write("/job/06_asr/ep-01/segments.json\n/job/06_asr/ep 02/segments.json\n")
        completed = run_script("""
import os
from waybill import StageIO
io = StageIO("asr", os.environ["WAYBILL_JOB_DIR"])
print(io.item)
print([str(p) for p in io.get_input_paths("all")])
try:
    io.get_input_paths("segments")
except LookupError as e:
    print(e)
""", self.scratch, WAYBILL_JOB_DIR=self.path("job"), WAYBILL_ITEM_KEY="ep-01", WAYBILL_ITEM_VALUE="videos/Ep 01.mkv",
                               WAYBILL_ITEM_PATH="/media/Ep 01.mkv", WAYBILL_IN_ALL_LIST=listing)
        self.assertRan(completed)
        lines = completed.stdout.splitlines()
        self.assertEqual("{'key': 'ep-01', 'value': 'videos/Ep 01.mkv', 'path': '/media/Ep 01.mkv'}", lines[0])
        self.assertEqual("['/job/06_asr/ep-01/segments.json', '/job/06_asr/ep 02/segments.json']", lines[1])
        self.assertIn("'segments' is not a gather input", lines[2])

    def test_a_stage_that_runs_once_has_no_item(self):
        completed = run_script("""
import os
from waybill import StageIO
print(StageIO("demux", os.environ["WAYBILL_JOB_DIR"]).item)
""", self.scratch, WAYBILL_JOB_DIR=self.path("job"))
        self.assertRan(completed)
        self.assertEqual("None", completed.stdout.strip())
