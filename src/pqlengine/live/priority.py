"""The OS priority of the service's threads, by what they do (Linux nice, per thread)."""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("pqlengine.live")

# How much lower than the service's a thread's OS priority is (Linux nice), by what it does:
# acknowledging events (the HTTP loop, the writer) runs at the service's priority;
# evaluation (passes, reads of cold entities' events) a little lower; reads lower still.
EVALUATION_NICENESS = 5
READ_NICENESS = 15
_thread_state = threading.local()


def lower_priority(by: int = READ_NICENESS) -> None:
    """Make the calling thread `by` nice levels lower than the service (Linux: this thread
    only, once; elsewhere a priority is the whole process's, which would slow ingest too, so
    nothing is done). Relative to the process, not to the thread: a thread started by a
    lowered one inherits its priority, and is not lowered twice.

    Why: on 2 cores every thread that is ready to run shares them by weight (nice 0: 1024,
    +5: 335, +15: 36). Acknowledging an event is the one thing a client waits on and
    retries; a pass that waits a little gets more entities at once, and a read gets what
    ingest and evaluation leave (all of it on an idle machine). A loop of `/api/leads` took
    as much CPU as the evaluator at the service's priority; at 1M accounts flat out, the
    evaluator and the cold loader at the writer's priority left the writer 38% of a core
    (bench/RESULTS.md "2026-12-07 (night)"). Never the main thread: it runs the HTTP event
    loop (ingest) and starts the service's threads, which would inherit its priority."""
    if sys.platform != "linux" or getattr(_thread_state, "lowered", False):
        return
    if threading.current_thread() is threading.main_thread():
        return
    _thread_state.lowered = True
    try:
        base = os.getpriority(os.PRIO_PROCESS, os.getpid())  # the main thread's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, base + by))
    except OSError:  # a sandbox may refuse; the thread then runs at the service's priority
        log.debug("could not lower a thread's priority", exc_info=True)
