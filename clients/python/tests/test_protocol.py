"""Protocol mode: what each StageIO call and log record writes to the channel (docs/stage-protocol.md)."""
from __future__ import annotations

import os
import re

from .support import ScratchTest, read_messages, run_script

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class ProtocolTests(ScratchTest):
    def setUp(self):
        super().setUp()
        self.job = self.path("job")
        self.stage = os.path.join(self.job, "01_demo")
        os.makedirs(self.stage)
        self.channel = self.path("channel.jsonl")

    def run_stage(self, source, **variables):
        environment = dict(WAYBILL_STAGE_CHANNEL=self.channel, WAYBILL_JOB_DIR=self.job, WAYBILL_STAGE_DIR=self.stage,
                           WAYBILL_STAGE_ID="01_demo", WAYBILL_STAGE_NAME="demo", WAYBILL_PROTOCOL="1")
        environment.update(variables)
        return run_script("import os\nfrom waybill import StageIO\nio = StageIO('demo', os.environ['WAYBILL_JOB_DIR'])\n"
                          + source, self.stage, **environment)

    def messages(self):
        return read_messages(self.channel)

    def test_logger_levels_map_to_log_warning_and_error_messages(self):
        self.assertRan(self.run_stage("""
logger = io.get_stage_logger("DEBUG")
logger.debug("details %d", 1)
logger.info("step %s", "two")
logger.warning("careful: %s", "disk")
logger.error("broken")
logger.critical("fatal")
"""))
        got = [(m["type"], m.get("level"), m["message"]) for m in self.messages()]
        self.assertEqual([("log", "debug", "details 1"), ("log", "info", "step two"), ("warning", None, "careful: disk"),
                          ("error", None, "broken"), ("error", None, "fatal")], got)
        for message in self.messages():
            if message["type"] != "log":  # the engine stamps log lines as it reads them
                self.assertRegex(message["t"], TIME)

    def test_the_logger_level_filters_and_the_records_do_not_reach_the_root_logger(self):
        completed = self.run_stage("""
import logging
logging.basicConfig(level=logging.DEBUG)
logger = io.get_stage_logger()
logger.debug("hidden")
logger.info("shown")
assert logger.name == "stage.demo" and isinstance(logger, logging.Logger)
""")
        self.assertRan(completed)
        self.assertEqual(["shown"], [m["message"] for m in self.messages()])
        self.assertNotIn("shown", completed.stderr)

    def test_a_logged_exception_is_an_error_with_its_traceback_and_type(self):
        self.assertRan(self.run_stage("""
logger = io.get_stage_logger()
try:
    {}["missing"]
except KeyError:
    logger.exception("lookup failed")
try:
    raise ValueError("a detail")
except ValueError:
    logger.info("noted", exc_info=True)
"""))
        error, info = self.messages()
        self.assertEqual("error", error["type"])
        self.assertEqual("lookup failed", error["message"])
        self.assertEqual("KeyError", error["exception_type"])
        self.assertEqual("'missing'", error["exception_message"])
        self.assertIn("Traceback (most recent call last)", error["exception"])
        self.assertIn('{}["missing"]', error["exception"])
        self.assertEqual(("log", "info"), (info["type"], info["level"]))
        self.assertIn("ValueError: a detail", info["exception"])

    def test_child_loggers_name_themselves(self):
        self.assertRan(self.run_stage("""
import logging
io.get_stage_logger()
logging.getLogger("stage.demo.model").info("loaded")
"""))
        (message,) = self.messages()
        self.assertEqual("stage.demo.model", message["logger"])
        self.assertEqual("loaded", message["message"])

    def test_a_second_get_stage_logger_does_not_double_the_lines(self):
        self.assertRan(self.run_stage("""
io.get_stage_logger()
logger = io.get_stage_logger("DEBUG")
logger.debug("once")
"""))
        self.assertEqual(["once"], [m["message"] for m in self.messages()])

    def test_a_logger_with_another_handler_or_filter_still_sends_every_record(self):
        completed = self.run_stage("""
import logging, sys
logger = io.get_stage_logger()
logger.addHandler(logging.StreamHandler(sys.stdout))
logger.info("both %d", 1)
logger.handlers = logger.handlers[:1]
logger.addFilter(lambda record: "secret" not in record.msg)
logger.info("a secret")
logger.info("plain")
logger.info("%d broken format", "x")
""")
        self.assertRan(completed)
        self.assertEqual("both 1\n", completed.stdout)
        self.assertEqual(["both 1", "plain"], [m["message"] for m in self.messages()])
        self.assertIn("Logging error", completed.stderr)

    def test_messages_escape_control_characters_and_keep_unicode(self):
        self.assertRan(self.run_stage("""
logger = io.get_stage_logger()
logger.info('line one\\nline "two" \\u00fc\\u2028 \\x1b[31m \\ud800')
"""))
        with open(self.channel, "rb") as file:
            raw = file.read()
        self.assertEqual(1, raw.count(b"\n"))
        self.assertEqual('line one\nline "two" \u00fc\u2028 \x1b[31m \ud800', self.messages()[0]["message"])

    def test_tracking_sends_absolute_paths_types_formats_and_json_safe_metadata(self):
        self.assertRan(self.run_stage("""
import pathlib
class Odd:
    def __str__(self):
        return "odd"
io.track_input(pathlib.Path("in.mp4"), "video", format="mp4", fps=25, where=pathlib.Path("/srv/x"), odd=Odd(),
               bad=float("nan"), tags={"b", "a"})
io.track_output("audio.wav", "audio", format="wav", name="audio", sample_rate=16000, size_mb=1.25)
io.track_intermediate(pathlib.Path(".cache/model.bin"), retained=False, reason="model cache", size_mb=3)
io.track_input("plain.txt")
"""))
        track_input, track_output, intermediate, plain = self.messages()
        self.assertEqual({"type": "track_input", "path": os.path.join(self.stage, "in.mp4"), "file_type": "video",
                          "format": "mp4", "metadata": {"fps": 25, "where": "/srv/x", "odd": "odd", "bad": "nan",
                                                        "tags": ["a", "b"]}},
                         {k: v for k, v in track_input.items() if k != "t"})
        self.assertEqual(("audio", "wav", "audio", {"sample_rate": 16000, "size_mb": 1.25}),
                         (track_output["file_type"], track_output["format"], track_output["name"], track_output["metadata"]))
        self.assertEqual(("track_intermediate", "intermediate", False, "model cache", {"size_mb": 3}),
                         (intermediate["type"], intermediate["file_type"], intermediate["retained"],
                          intermediate["reason"], intermediate["metadata"]))
        self.assertEqual(os.path.join(self.stage, ".cache", "model.bin"), intermediate["path"])
        self.assertEqual({"type": "track_input", "path": os.path.join(self.stage, "plain.txt"), "file_type": "file"},
                         {k: v for k, v in plain.items() if k != "t"})

    def test_metadata_that_takes_a_record_fields_name_is_left_out_with_a_warning_and_the_file_still_tracked(self):
        self.assertRan(self.run_stage("io.track_output('a.json', 'report', checksum='abc', lines=3)"))
        warning, track = self.messages()
        self.assertEqual("warning", warning["type"])
        self.assertIn("metadata 'checksum' of %s names a field the manifest records itself" % os.path.join(self.stage, "a.json"),
                      warning["message"])
        self.assertEqual({"lines": 3}, track["metadata"])

    def test_config_resources_gpu_tool_versions_and_finalize(self):
        self.assertRan(self.run_stage("""
import pathlib
io.set_config({"processing_mode": "fast", "start_time": None, "model": pathlib.Path("/models/x")})
io.add_config("batch_size", 16)
io.set_resources(cpu_percent=45.2, gpu_used=True)
io.set_resources({"memory_mb": 4096, "wall_seconds": 1})
io.set_gpu_used(False)
io.set_tool_version("ffmpeg", "6.1.1")
io.add_warning("slow disk")
io.finalize(status="success", output_size_mb=1.5)
"""))
        got = [{k: v for k, v in m.items() if k != "t"} for m in self.messages()]
        self.assertEqual([
            {"type": "set_config", "values": {"processing_mode": "fast", "start_time": None, "model": "/models/x"}},
            {"type": "add_config", "key": "batch_size", "value": 16},
            {"type": "gpu", "used": True},
            {"type": "log", "level": "debug", "message": "resources.cpu_percent is measured by Waybill; the figure given (45.2) is not recorded"},
            {"type": "log", "level": "debug", "message": "resources.wall_seconds is measured by Waybill; the figure given (1) is not recorded"},
            {"type": "resources", "values": {"memory_mb": 4096}},
            {"type": "gpu", "used": False},
            {"type": "tool_version", "tool": "ffmpeg", "version": "6.1.1"},
            {"type": "warning", "message": "slow disk"},
            {"type": "finalize", "status": "success", "summary": {"output_size_mb": 1.5}},
        ], got)

    def test_progress_sends_the_first_and_last_of_a_count_at_most_ten_a_second_and_refuses_bad_arguments(self):
        completed = self.run_stage("""
import time
for done in range(100001):
    io.report_progress(done, 100000, "frames")
io.report_progress(2.0, 8)
io.report_progress(12, 8, "segments")
io.report_progress(1, 8, "segments")
io.report_progress(2, 8, "segments")  # held back, then sent once the period is over
deadline = time.monotonic() + 30
while '"done":2,"total":8,"unit":"segments"' not in open(os.environ["WAYBILL_STAGE_CHANNEL"]).read():
    assert time.monotonic() < deadline, "the held back progress was never sent"
    time.sleep(0.01)
for args in ((-1, 8), (1, 0), (1.5, 8), (True, 8), ("3", 8), (1, 8, ""), (1, 8, "x" * 33), (1, 8, "seg\\x1b[2J")):
    try:
        io.report_progress(*args)
        print("accepted", args)
    except ValueError as error:
        print("refused:", error)
""")
        self.assertRan(completed)
        messages = self.messages()
        self.assertEqual({"type": "progress", "done": 0, "total": 100000, "unit": "frames"}, messages[0])
        # 1 of 8 segments came within the period after 8 of 8: held back, and superseded by 2 of 8.
        self.assertEqual([{"type": "progress", "done": 100000, "total": 100000, "unit": "frames"},
                          {"type": "progress", "done": 2, "total": 8, "unit": "items"},
                          {"type": "progress", "done": 8, "total": 8, "unit": "segments"},
                          {"type": "progress", "done": 2, "total": 8, "unit": "segments"}], messages[-4:])
        # A hundred thousand calls in well under a minute: a few hundred messages at most, not one per call.
        self.assertLess(len(messages), 1000)
        self.assertNotIn("accepted", completed.stdout)
        self.assertEqual(8, completed.stdout.count("refused: report_progress:"))

    def test_add_error_with_an_exception_and_finalize_failed_with_a_reason(self):
        self.assertRan(self.run_stage("""
try:
    open("/nonexistent/file")
except OSError as e:
    io.add_error("Failed", e)
    io.add_warning("also this", e)
io.finalize("FAILED", reason="no input")
"""))
        error, warning, final = self.messages()
        self.assertEqual(("Failed", "FileNotFoundError"), (error["message"], error["exception_type"]))
        self.assertIn("No such file or directory", error["exception_message"])
        self.assertIn("Traceback", error["exception"])
        self.assertIn("FileNotFoundError", warning["exception"])
        self.assertEqual({"type": "finalize", "status": "failed", "reason": "no input"}, {k: v for k, v in final.items() if k != "t"})

    def test_finalize_refuses_an_unknown_status(self):
        completed = self.run_stage("io.finalize('done')")
        self.assertRan(completed, 1)
        self.assertIn("status must be one of success, failed, skipped, not 'done'", completed.stderr)

    def test_an_uncaught_exception_is_sent_with_its_traceback_and_the_previous_hook_still_runs(self):
        completed = self.run_stage("""
import sys
def previous(kind, value, tb):
    print("previous hook saw " + kind.__name__, file=sys.stderr)
sys.excepthook = previous
io2 = StageIO("demo", os.environ["WAYBILL_JOB_DIR"])
def load():
    raise RuntimeError("model file is corrupt")
load()
""")
        self.assertRan(completed, 1)
        self.assertIn("previous hook saw RuntimeError", completed.stderr)
        (error,) = self.messages()
        self.assertEqual("error", error["type"])
        self.assertEqual("uncaught RuntimeError: model file is corrupt", error["message"])
        self.assertEqual("RuntimeError", error["exception_type"])
        self.assertRegex(error["exception"], r'line \d+, in load\n    raise RuntimeError')

    def test_the_channel_file_is_created_for_the_owner_only(self):
        self.assertRan(self.run_stage("io.add_config('a', 1)"))
        self.assertEqual(0o600, os.stat(self.channel).st_mode & 0o777)

    def test_concurrent_writers_never_interleave_lines(self):
        self.assertRan(self.run_stage("""
import subprocess, sys, threading
logger = io.get_stage_logger()
long = "x" * 5000
def spam(tag):
    for i in range(2000):
        logger.info("%s %d %s", tag, i, long)
threads = [threading.Thread(target=spam, args=("t%d" % n,)) for n in range(4)]
child = subprocess.Popen([sys.executable, "-c",
    "import os\\nfrom waybill import StageIO\\nl = StageIO('demo', os.environ['WAYBILL_JOB_DIR']).get_stage_logger()\\n"
    "for i in range(2000): l.info('child %d ' + 'y' * 5000, i)"])
for t in threads: t.start()
for t in threads: t.join()
assert child.wait() == 0
"""))
        messages = self.messages()
        self.assertEqual(10000, len(messages))
        self.assertEqual(2000, sum(1 for m in messages if m["message"].startswith("child ")))

    def test_a_script_working_on_another_job_folder_runs_standalone_there(self):
        other = self.path("other-job")
        completed = run_script("""
from waybill import StageIO
io = StageIO("demo", %r)
io.get_stage_logger().info("elsewhere")
io.finalize()
""" % other, self.stage, WAYBILL_STAGE_CHANNEL=self.channel, WAYBILL_JOB_DIR=self.job)
        self.assertRan(completed)
        self.assertFalse(os.path.exists(self.channel))
        self.assertTrue(os.path.exists(os.path.join(other, "demo", "manifest.json")))
    def test_an_exception_in_a_thread_is_an_error_and_the_process_goes_on(self):
        completed = self.run_stage("""
import threading
def work():
    raise ValueError("bad frame")
thread = threading.Thread(target=work, name="decoder")
thread.start()
thread.join()
io.finalize()
""")
        self.assertRan(completed)
        self.assertIn("ValueError: bad frame", completed.stderr)
        error, final = self.messages()
        self.assertEqual(("error", "uncaught ValueError: bad frame in thread decoder", "ValueError"),
                         (error["type"], error["message"], error["exception_type"]))
        self.assertEqual("finalize", final["type"])

    def test_a_text_over_the_engines_line_limit_is_cut_not_lost(self):
        self.assertRan(self.run_stage("""
logger = io.get_stage_logger()
logger.info("\\u0001" * 300000)
io.add_warning("w" * 2000000, ValueError("v" * 2000000))
logger.info("after")
"""))
        with open(self.channel, "rb") as file:
            lengths = [len(line) for line in file]
        self.assertTrue(all(n < 1 << 20 for n in lengths), lengths)
        first, warning, after = self.messages()
        self.assertTrue(first["message"].startswith("\u0001" * 1000))
        self.assertTrue(first["message"].endswith(" [text truncated: 220000 characters dropped]"))
        self.assertTrue(warning["message"].endswith(" [text truncated: 1920000 characters dropped]"))
        self.assertIn("[text truncated:", warning["exception"])
        self.assertEqual("after", after["message"])

    def test_a_logger_that_propagates_again_also_reaches_the_root_handlers(self):
        completed = self.run_stage("""
import logging, sys
logging.basicConfig(stream=sys.stdout, format="root: %(message)s")
logger = io.get_stage_logger()
logger.propagate = True
logger.info("both")
""")
        self.assertRan(completed)
        self.assertEqual("root: both\n", completed.stdout)
        self.assertEqual(["both"], [m["message"] for m in self.messages()])
