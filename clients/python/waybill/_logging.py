"""The stage logger's handler, and the hook that records an uncaught exception before the process exits."""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Mapping

from ._encoding import describe, failure_reason


class StageHandler(logging.Handler):
    """
    Sends each record to the stage's recorder: DEBUG and INFO as log lines, WARNING as a warning and ERROR or
    CRITICAL as an error (so they reach the manifest's warnings[] and errors[]), the traceback with them when
    exc_info is set. No formatter: the message is record.getMessage(); the engine adds time, stage and level.
    """

    def __init__(self, recorder, level=logging.NOTSET):
        super().__init__(level)
        self.recorder = recorder

    def handle(self, record):
        # No handler lock: emit writes each record with one write(2) (or under the recorder's own lock).
        if self.filters and not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record):
        try:
            levelno = record.levelno
            message = record.getMessage()
            if levelno < logging.WARNING:
                exception_text = None
                if record.exc_info:
                    exception_text = describe(record.exc_info)[2]
                if record.stack_info:
                    exception_text = (exception_text + "\n" if exception_text else "") + record.stack_info
                self.recorder.log(levelno, message, exception_text, record.name, record.created)
            else:
                exception = record.exc_info if record.exc_info and record.exc_info[0] is not None else None
                self.recorder.problem("warning" if levelno < logging.ERROR else "error", message, exception, record.created)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


class StageLogger(logging.Logger):
    """
    The stage logger's class: a logging.Logger whose debug() and info() skip building a LogRecord (and looking up
    the caller's frame) while the stage's handler is its only one and nothing filters: that is most of the cost of a
    log call, and a stage may log millions of lines. Anything else (keyword arguments, other handlers or filters,
    a message that does not format) takes the standard path, so the logger behaves exactly as logging documents.
    """

    _stage_handler = None

    def _fast(self, level, msg, args, kwargs):
        handler = self._stage_handler
        handlers = self.handlers
        if kwargs or self.filters or self.propagate or handler is None or len(handlers) != 1 or handlers[0] is not handler \
                or handler.filters or level < handler.level:
            return False
        try:
            if args:
                if len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
                    args = args[0]
                message = str(msg) % args
            else:
                message = str(msg)
        except Exception:
            return False  # the standard path reports the formatting error as logging does
        handler.recorder.log(level, message, None, self.name, time.time())
        return True

    def debug(self, msg, *args, **kwargs):
        if self.isEnabledFor(logging.DEBUG) and not self._fast(logging.DEBUG, msg, args, kwargs):
            self._log(logging.DEBUG, msg, args, **kwargs)

    def info(self, msg, *args, **kwargs):
        if self.isEnabledFor(logging.INFO) and not self._fast(logging.INFO, msg, args, kwargs):
            self._log(logging.INFO, msg, args, **kwargs)


def attach(logger, recorder):
    """Makes the stage's handler the logger's own (replacing an earlier one) and turns on the fast path when it can."""
    for handler in [h for h in logger.handlers if isinstance(h, StageHandler)]:
        logger.removeHandler(handler)
    handler = StageHandler(recorder)
    logger.addHandler(handler)
    # Only a plain Logger is given the fast methods; a logger of the application's own class keeps its class.
    if type(logger) is logging.Logger:
        logger.__class__ = StageLogger
    if isinstance(logger, StageLogger):
        logger._stage_handler = handler
    return logger


_hook_lock = threading.Lock()
_live = []  # StageIO objects of this process, oldest first
_previous_hook = None


_previous_thread_hook = None


def watch(stage_io):
    """
    Registers a StageIO for uncaught exceptions and makes sure the hooks are installed, chaining the ones before them
    (again, when the application replaced them since).
    """
    global _previous_hook, _previous_thread_hook
    with _hook_lock:
        _live.append(stage_io)
        if sys.excepthook is not _excepthook:
            _previous_hook = sys.excepthook
            sys.excepthook = _excepthook
        if threading.excepthook is not _thread_excepthook:
            _previous_thread_hook = threading.excepthook
            threading.excepthook = _thread_excepthook


def _targets():
    """The StageIOs an uncaught exception concerns: those not finalized (else the newest), once per record."""
    told = set()
    for stage_io in [s for s in _live if not s.finalized] or _live[-1:]:
        if stage_io._recorder.key not in told:
            told.add(stage_io._recorder.key)
            yield stage_io


def _excepthook(kind, value, tb):
    try:
        for stage_io in _targets():
            stage_io._uncaught((kind, value, tb))
    except Exception:
        pass  # recording must never hide the exception itself: the previous hook prints it
    (_previous_hook or sys.__excepthook__)(kind, value, tb)


def _thread_excepthook(arguments):
    """A thread that dies of an exception: an error of the stage (the process goes on, so the status is not decided)."""
    try:
        if arguments.exc_type is not SystemExit:
            name = getattr(arguments.thread, "name", "?")
            for stage_io in _targets():
                stage_io.add_error("uncaught %s in thread %s" % (failure_reason((arguments.exc_type, arguments.exc_value,
                                   arguments.exc_traceback)), name), arguments.exc_value)
    except Exception:
        pass
    (_previous_thread_hook or threading.__excepthook__)(arguments)
