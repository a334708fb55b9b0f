"""
The seeds' demux stage (run-pipeline.py's _stage_demux) as a Waybill command stage: ffmpeg extracts the audio of the
input video as 16 kHz mono WAV. The method's StageIO calls are the seeds' own; only the import line is new.
"""
import argparse
import os
import pathlib
import subprocess
import sys


class Pipeline:
    """The glue the seeds' method expects around it: the job folder, the debug flag and the stage's settings."""

    def __init__(self, argv):
        parser = argparse.ArgumentParser(description=__doc__)
        parser.add_argument("--mode", default="full", choices=("full", "clip"), help="full: all of it; clip: --start to --end")
        parser.add_argument("--start", type=float, default=None, help="clip start, seconds")
        parser.add_argument("--end", type=float, default=None, help="clip end, seconds")
        parser.add_argument("--debug", default="false", help="true: DEBUG lines too")
        args = parser.parse_args(argv)
        self.job_dir = os.environ["WAYBILL_JOB_DIR"]
        self.debug = args.debug.lower() in ("1", "true", "yes")
        self.input_media = pathlib.Path(os.environ["WAYBILL_IN_INPUT_MEDIA"])
        self.audio_output = pathlib.Path(os.environ["WAYBILL_OUT_AUDIO"])
        self.processing_mode = args.mode
        self.start_time = args.start if args.mode == "clip" else None
        self.end_time = args.end if args.mode == "clip" else None

    def _stage_demux(self) -> bool:
        input_media, audio_output = self.input_media, self.audio_output
        processing_mode, start_time, end_time = self.processing_mode, self.start_time, self.end_time

        # Initialize stage I/O and manifest
        from waybill import StageIO
        stage_io = StageIO("demux", self.job_dir, enable_manifest=True)
        stage_logger = stage_io.get_stage_logger("DEBUG" if self.debug else "INFO")

        # Track inputs
        stage_io.track_input(input_media, "video", format=input_media.suffix[1:])

        # Add configuration to manifest
        stage_io.set_config({
            "processing_mode": processing_mode,
            "start_time": start_time,
            "end_time": end_time
        })

        # Process...
        size_mb = self.extract_audio(stage_logger, input_media, audio_output, start_time, end_time)

        # Track outputs
        stage_io.track_output(audio_output, "audio",
                              format="wav",
                              sample_rate=16000,
                              size_mb=round(size_mb, 2))

        # Finalize with status
        stage_io.finalize(status="success", output_size_mb=round(size_mb, 2))
        return True

    @staticmethod
    def extract_audio(logger, video, audio, start, end):
        """ffmpeg: the first audio stream as 16 kHz mono 16-bit WAV, optionally only start..end; the size in MB."""
        window = (["-ss", str(start)] if start is not None else []) + (["-to", str(end)] if end is not None else [])
        command = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *window, "-i", str(video),
                   "-vn", "-map", "0:a:0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-map_metadata", "-1", str(audio)]
        logger.info("Extracting audio from %s", video.name)
        logger.debug("running %s", " ".join(command))
        subprocess.run(command, check=True)
        size_mb = audio.stat().st_size / (1024 * 1024)
        logger.info("Audio extracted: %s (%.2f MB)", audio.name, size_mb)
        return size_mb


if __name__ == "__main__":
    sys.exit(0 if Pipeline(sys.argv[1:])._stage_demux() else 1)
