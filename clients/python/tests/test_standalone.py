"""Standalone mode: without WAYBILL_STAGE_CHANNEL the client writes the seeds' stage.log, pipeline log and manifest."""
from __future__ import annotations

import hashlib
import json
import os
import re

from .support import ScratchTest, read_lines, run_script

LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[(stage\.demux|pipeline)\] \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")

STAGE = """
import os, pathlib, sys
from waybill import StageIO
job = sys.argv[1] if len(sys.argv) > 1 else os.environ["JOB"]
io = StageIO("demux", job, enable_manifest=os.environ.get("MANIFEST", "1") == "1")
logger = io.get_stage_logger("DEBUG")
logger.debug("loading")
logger.info("extracting audio")
logger.warning("no subtitles stream")
video = pathlib.Path(job, "clip.mp4")
video.write_bytes(b"video bytes")
io.track_input(video, "video", format=video.suffix[1:])
io.set_config({"processing_mode": "fast", "start_time": None, "end_time": 2.5})
io.add_config("channels", 1)
audio = io.get_output_path("audio.wav")
audio.write_bytes(b"RIFF....")
io.track_output(audio, "audio", format="wav", sample_rate=16000, size_mb=0.01)
io.track_intermediate(os.path.join(io.stage_dir, "cache.bin"), retained=False, reason="scratch", frames=3)
io.set_resources(memory_mb=4096, cpu_percent=12.5, gpu_used=True)
io.set_tool_version("ffmpeg", "6.1")
"""


class StandaloneTests(ScratchTest):
    def setUp(self):
        super().setUp()
        self.job = self.path("job")
        os.makedirs(self.job)

    def run_stage(self, tail, **variables):
        return run_script(STAGE + tail, self.scratch, JOB=self.job, **variables)

    def manifest(self, folder="demux"):
        with open(os.path.join(self.job, folder, "manifest.json"), encoding="utf-8") as file:
            return json.load(file)

    def pipeline_logs(self):
        return sorted(os.listdir(os.path.join(self.job, "logs")))

    def test_every_level_goes_to_stage_log_and_info_and_above_to_the_pipeline_log_and_console(self):
        completed = self.run_stage("io.finalize(status='success', output_size_mb=0.01)")
        self.assertRan(completed)
        stage_log = read_lines(os.path.join(self.job, "demux", "stage.log"))
        for line in stage_log:
            self.assertRegex(line, LINE)
        self.assertTrue(any(line.endswith("[stage.demux] [DEBUG] loading") for line in stage_log))
        self.assertTrue(any(line.endswith("[stage.demux] [INFO] extracting audio") for line in stage_log))
        self.assertTrue(any(line.endswith("[stage.demux] [WARNING] no subtitles stream") for line in stage_log))
        (name,) = self.pipeline_logs()
        self.assertRegex(name, r"^99_pipeline_\d{8}_\d{6}\.log$")
        pipeline_log = read_lines(os.path.join(self.job, "logs", name))
        self.assertEqual(["[pipeline] [INFO] \u25b6 Stage: demux", "[stage.demux] [INFO] extracting audio",
                          "[stage.demux] [WARNING] no subtitles stream"], [line[22:] for line in pipeline_log[:3]])
        self.assertRegex(pipeline_log[3], r"\[pipeline\] \[INFO\] \u2713 Stage demux: SUCCESS \(\d+\.\ds\)$")
        self.assertNotIn("loading", "\n".join(pipeline_log))
        self.assertIn("[stage.demux] [INFO] extracting audio", completed.stderr)
        self.assertNotIn("loading", completed.stderr)
        self.assertEqual("", completed.stdout)

    def test_the_manifest_has_the_seeds_fields_with_waybills_names(self):
        self.assertRan(self.run_stage("io.finalize(status='success', output_size_mb=0.01)"))
        manifest = self.manifest()
        self.assertEqual(("demux", "demux", 0, "job", 1, "success", "python"),
                         (manifest["stage"], manifest["stage_id"], manifest["stage_number"], manifest["job_id"],
                          manifest["attempt"], manifest["status"], manifest["kind"]))
        for field in ("timestamp", "started_utc", "finished_utc"):
            self.assertRegex(manifest[field], ISO)
        self.assertEqual(manifest["timestamp"], manifest["started_utc"])
        (video,) = manifest["inputs"]
        self.assertEqual({"type": "video", "path": "clip.mp4", "location": "job", "format": "mp4", "size_bytes": 11},
                         {k: video[k] for k in ("type", "path", "location", "format", "size_bytes")})
        self.assertEqual("sha256:" + hashlib.sha256(b"video bytes").hexdigest(), video["checksum"])
        (audio,) = manifest["outputs"]
        self.assertEqual({"type": "audio", "path": "demux/audio.wav", "location": "job", "format": "wav",
                          "size_bytes": 8, "sample_rate": 16000, "size_mb": 0.01},
                         {k: v for k, v in audio.items() if k not in ("mtime", "checksum")})
        (cache,) = manifest["intermediate_files"]
        self.assertEqual({"type": "intermediate", "path": "demux/cache.bin", "location": "job", "format": "bin",
                          "retained": False, "reason": "scratch", "frames": 3}, cache)
        self.assertEqual({"processing_mode": "fast", "start_time": None, "end_time": 2.5, "channels": 1}, manifest["config"])
        resources = manifest["resources"]
        for field in ("wall_seconds", "cpu_user_seconds", "cpu_system_seconds", "cpu_seconds", "cpu_percent", "peak_rss_mb"):
            self.assertGreaterEqual(resources[field], 0, field)
        self.assertEqual((True, 4096), (resources["gpu_used"], resources["memory_mb"]))
        stage_log = "\n".join(read_lines(os.path.join(self.job, "demux", "stage.log")))
        self.assertIn("[DEBUG] resources.cpu_percent is measured by Waybill; the figure given (12.5) is not recorded", stage_log)
        self.assertEqual({"ffmpeg": "6.1"}, manifest["tool_versions"])
        self.assertEqual({"output_size_mb": 0.01}, manifest["summary"])
        (warning,) = manifest["warnings"]
        self.assertEqual("no subtitles stream", warning["message"])
        self.assertRegex(warning["timestamp"], ISO)
        self.assertEqual([], manifest["errors"])
        self.assertEqual([], [n for n in os.listdir(os.path.join(self.job, "demux")) if n.endswith(".tmp")])

    def test_an_existing_numbered_stage_folder_is_used_and_its_number_recorded(self):
        os.makedirs(os.path.join(self.job, "07_demux"))
        os.makedirs(os.path.join(self.job, "03_demux_extra"))
        self.assertRan(self.run_stage("io.finalize()"))
        manifest = self.manifest("07_demux")
        self.assertEqual(("07_demux", 7, "07_demux/audio.wav"),
                         (manifest["stage_id"], manifest["stage_number"], manifest["outputs"][0]["path"]))
        self.assertFalse(os.path.exists(os.path.join(self.job, "demux")))

    def test_errors_keep_their_exception_and_a_failed_stage_says_so_in_the_pipeline_log(self):
        self.assertRan(self.run_stage("""
try:
    int("x")
except ValueError as e:
    io.add_error("Failed", e)
io.finalize(status="failed", reason="bad number")
"""))
        manifest = self.manifest()
        self.assertEqual(("failed", "bad number"), (manifest["status"], manifest["status_reason"]))
        (error,) = manifest["errors"]
        self.assertEqual(("Failed", "ValueError"), (error["message"], error["exception_type"]))
        self.assertIn("invalid literal", error["exception_message"])
        self.assertIn('int("x")', error["stack_trace"])
        stage_log = "\n".join(read_lines(os.path.join(self.job, "demux", "stage.log")))
        self.assertRegex(stage_log, r"\[ERROR\] Failed\n  Traceback \(most recent call last\):\n")
        (name,) = self.pipeline_logs()
        self.assertRegex("\n".join(read_lines(os.path.join(self.job, "logs", name))),
                         r"\[pipeline\] \[ERROR\] \u274c Stage demux: FAILED \(\d+\.\ds\): bad number")

    def test_an_uncaught_exception_fails_the_stage_even_after_finalize(self):
        completed = self.run_stage("io.finalize()\nraise RuntimeError('late failure')")
        self.assertRan(completed, 1)
        self.assertIn("RuntimeError: late failure", completed.stderr)
        manifest = self.manifest()
        self.assertEqual(("failed", "RuntimeError: late failure"), (manifest["status"], manifest["status_reason"]))
        self.assertEqual("uncaught RuntimeError: late failure", manifest["errors"][-1]["message"])

    def test_a_stage_that_never_finalizes_is_recorded_at_exit(self):
        self.assertRan(self.run_stage("logger.info('done')"))
        self.assertEqual("success", self.manifest()["status"])

    def test_records_made_after_finalize_reach_the_manifest(self):
        self.assertRan(self.run_stage("io.finalize()\nio.add_config('late', True)"))
        self.assertTrue(self.manifest()["config"]["late"])

    def test_reported_usage_adds_up_in_resources_and_a_bad_unit_or_quantity_is_refused(self):
        completed = self.run_stage("""
io.report_usage("tokens", 1000)
io.report_usage("tokens", 234.5)
for unit, quantity in (("Tokens", 1), ("cpu_hour", 1), ("tokens", -1), ("tokens", float("nan")), ("tokens", True)):
    try:
        io.report_usage(unit, quantity)
        print("accepted", unit, quantity)
    except ValueError as error:
        print("refused:", error)
io.finalize()
""")
        self.assertRan(completed)
        self.assertEqual({"tokens": 1234.5}, self.manifest()["resources"]["usage"])
        self.assertNotIn("accepted", completed.stdout)
        self.assertEqual(5, completed.stdout.count("refused: report_usage:"))

    def test_progress_by_hand_shows_and_records_nothing(self):
        completed = self.run_stage("""
io.report_progress(3, 8, "segments")
try:
    io.report_progress(9, 0)
except ValueError as error:
    print("refused:", error)
io.finalize()
""")
        self.assertRan(completed)
        self.assertIn("refused: report_progress: total must be a whole number 1 or more, not 0", completed.stdout)
        self.assertNotIn("progress", json.dumps(self.manifest()))
        self.assertNotIn("segments", "\n".join(read_lines(os.path.join(self.job, "demux", "stage.log"))))

    def test_enable_manifest_false_writes_logs_only(self):
        self.assertRan(self.run_stage("io.finalize()", MANIFEST="0"))
        self.assertEqual(["audio.wav", "stage.log"], sorted(os.listdir(os.path.join(self.job, "demux"))))
        self.assertFalse(os.path.exists(os.path.join(self.job, "demux", "manifest.json")))
        self.assertTrue(os.path.exists(os.path.join(self.job, "demux", "stage.log")))

    def test_a_second_run_counts_the_attempt_and_joins_the_latest_pipeline_log(self):
        logs = os.path.join(self.job, "logs")
        os.makedirs(logs)
        for name in ("99_pipeline_20250101_120000.log", "99_pipeline_20250101_120000_2.log", "99_pipeline_20240101_000000.log"):
            open(os.path.join(logs, name), "w").close()
        self.assertRan(self.run_stage("io.finalize()"))
        self.assertRan(self.run_stage("io.finalize()"))
        self.assertEqual(2, self.manifest()["attempt"])
        self.assertEqual(3, len(self.pipeline_logs()))
        self.assertEqual(0, os.path.getsize(os.path.join(logs, "99_pipeline_20250101_120000.log")))
        self.assertEqual(4, sum(1 for line in read_lines(os.path.join(logs, "99_pipeline_20250101_120000_2.log"))
                                if "Stage" in line and "[pipeline]" in line))

    def test_log_lines_escape_control_characters_as_waybill_does(self):
        self.assertRan(self.run_stage(r"""
logger.info("two\nlines \x1b[31mred\x1b[0m C:\\new \\ plain \u2028 \u00e9")
io.finalize()
"""))
        stage_log = read_lines(os.path.join(self.job, "demux", "stage.log"))
        (line,) = [l for l in stage_log if "two" in l]
        self.assertTrue(line.endswith(r"[INFO] two\nlines \x1B[31mred\x1B[0m C:\\new \ plain \u2028 é"), line)
