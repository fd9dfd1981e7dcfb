"""Progress of `pql ingest` on stderr, file by file.

On a terminal: a Rich bar of files done and one of the current file's rows, with rows/s.
Otherwise (a log file, CI, a pipe): a plain line at least every `LINE_EVERY_S` seconds while
a file is read, checked and written, so a long ingest is never silent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

LINE_EVERY_S = 5.0  # seconds between plain lines (a 400 MB CSV takes about a minute)
_clock = time.monotonic  # seconds; tests replace it to let time pass

Rows = Callable[[int, int | None], None]  # (rows done, total rows or None while unknown)


class FilesProgress(Protocol):
    """Shows one file after another: `start` one (its rows callback), then `finished`."""

    def start(self, name: str) -> Rows: ...

    def finished(self) -> None: ...


@contextmanager
def files_progress(console: Console, files: int, label: str) -> Iterator[FilesProgress]:
    """Progress of `files` files on `console`: a bar on a terminal, else periodic lines."""
    if console.is_terminal:
        bar = _Bar(console, files)
        with bar.progress:
            yield bar
    else:
        lines = _Lines(console, files, label)
        try:
            yield lines
        finally:
            lines.stop()


def _writing(done: float, total: float | None) -> bool:
    # Every row has been read (and checked): what is left is the write to the store.
    return total is not None and done >= total


class _Counts(ProgressColumn):
    """'12,345/? rows  41,200 rows/s' ('?' while the total is unknown); files without a rate."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        total = "?" if task.total is None else f"{task.total:,.0f}"
        text = f"{task.completed:,.0f}/{total} {unit}"
        speed = task.speed
        if unit == "rows" and speed and not _writing(task.completed, task.total):
            text += f"  {speed:,.0f} rows/s"
        return Text(text, style="progress.download")


class _Bar:
    def __init__(self, console: Console, files: int) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            _Counts(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._files = self.progress.add_task("ingesting", total=files, unit="files")
        self._rows = self.progress.add_task("", total=None, visible=False, unit="rows")

    def start(self, name: str) -> Rows:
        self.progress.reset(self._rows, total=None, description=f"  {name}", visible=True)

        def rows(done: int, total: int | None) -> None:
            state = ": writing" if _writing(done, total) else ""
            self.progress.update(
                self._rows, completed=done, total=total, description=f"  {name}{state}"
            )

        return rows

    def finished(self) -> None:
        self.progress.advance(self._files)
        self.progress.update(self._rows, visible=False)


class _Lines:
    """Plain lines: on a rows update or from a heartbeat thread, whichever comes first once
    `LINE_EVERY_S` has passed since the last line (the write at the end has no updates)."""

    def __init__(self, console: Console, files: int, label: str) -> None:
        self._console = console
        self._files = files
        self._label = label
        self._every_s = LINE_EVERY_S
        self._lock = threading.Lock()
        self._index = 0
        self._name: str | None = None  # None between files: nothing to say
        self._rows: tuple[int, int | None] | None = None
        self._started = self._last = 0.0
        self._stopped = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="pql-progress", daemon=True)
        self._beat.start()

    def start(self, name: str) -> Rows:
        with self._lock:
            self._index += 1
            self._name, self._rows = name, None
            self._started = self._last = _clock()
        return self._update

    def finished(self) -> None:
        with self._lock:
            self._name = None

    def stop(self) -> None:
        self._stopped.set()
        self._beat.join()

    def _update(self, done: int, total: int | None) -> None:
        with self._lock:
            self._rows = (done, total)
            self._maybe_line()

    def _heartbeat(self) -> None:
        while not self._stopped.wait(self._every_s):
            with self._lock:
                self._maybe_line()

    def _maybe_line(self) -> None:
        now = _clock()
        if self._name is None or now - self._last < self._every_s:
            return
        self._last = now
        self._console.print(self._line(self._name, now - self._started), markup=False)

    def _line(self, name: str, elapsed_s: float) -> str:
        where = f"{self._label}: {name} ({self._index} of {self._files})"
        took = f"{elapsed_s:.0f} s"
        if self._rows is None:
            return f"{where}: {took}"
        done, total = self._rows
        if _writing(done, total):
            return f"{where}: {done:,} rows read, writing to the store, {took}"
        of = "" if total is None else f" of {total:,}"
        rate = done / elapsed_s if elapsed_s > 0 else 0.0
        return f"{where}: {done:,}{of} rows, {rate:,.0f} rows/s, {took}"
