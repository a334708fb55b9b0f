"""
The seeds' minimal stage template (_stage_my_stage) as a Waybill command stage: it reads a transcript (input.json),
wraps each segment's text at `param` characters, and writes output.json. The StageIO calls are the template's own;
only the import line is new.
"""
import argparse
import json
import os
import sys
import textwrap

value = 42


def process(input_file, output_file):
    """The stage's work: every segment's text wrapped into lines of at most `value` characters."""
    transcript = json.loads(input_file.read_text(encoding="utf-8"))
    segments = [dict(segment, lines=textwrap.wrap(segment["text"], value)) for segment in transcript["segments"]]
    output_file.write_text(json.dumps({"segments": segments, "max_chars": value}, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
    return len(segments)


class Pipeline:
    """The glue the seeds' method expects around it: the job folder."""

    def __init__(self, argv):
        global value
        parser = argparse.ArgumentParser(description=__doc__)
        parser.add_argument("--param", type=int, default=value, help="longest line, in characters")
        value = parser.parse_args(argv).param
        self.job_dir = os.environ["WAYBILL_JOB_DIR"]

    def _stage_my_stage(self) -> bool:
        from waybill import StageIO

        stage_io = StageIO("my_stage", self.job_dir)
        logger = stage_io.get_stage_logger()

        input_file = stage_io.get_input_path("input.json")
        output_file = stage_io.get_output_path("output.json")

        stage_io.track_input(input_file, "transcript")
        stage_io.set_config({"param": value})

        try:
            result = process(input_file, output_file)
            logger.info("Wrapped %d segments at %d characters", result, value)
            stage_io.track_output(output_file, "transcript")
            stage_io.finalize(status="success")
            return True
        except Exception as e:
            stage_io.add_error("Failed", e)
            stage_io.finalize(status="failed")
            return False


if __name__ == "__main__":
    sys.exit(0 if Pipeline(sys.argv[1:])._stage_my_stage() else 1)
