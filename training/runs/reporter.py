"""``RunReporter``: what a trainer's per-step callback writes, and the heartbeat of a running run.

Each optimizer step stores one RunMetric row (upserted: a resumed attempt replays the steps after
the last checkpoint), moves `step`, refreshes the heartbeat and reads `cancel_requested` in one
fenced UPDATE. A background thread keeps the heartbeat alive between steps (data preparation,
evaluation, long steps on big models), so "silent" means "the process is gone", not "slow step".
"""
from __future__ import annotations

import logging
import math
import threading
from collections import deque
from contextlib import contextmanager
from typing import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from training.models import RunMetric, TrainingRun
from training.runs.errors import RunCancelled, RunLost

log = logging.getLogger(__name__)

# The beat also carries the log, so phases without steps (pretraining the demo generator, sampling
# candidates) show their progress on the run page within a heartbeat.
_BEAT_SQL = """
UPDATE training_trainingrun SET heartbeat_at = now(), log_tail = %s
WHERE id = %s AND attempt = %s AND state = 'running'
RETURNING cancel_requested
"""
_STEP_SQL = """
UPDATE training_trainingrun SET heartbeat_at = now(), step = CASE WHEN total_steps > 0 THEN LEAST(%s, total_steps) ELSE %s END, log_tail = %s
WHERE id = %s AND attempt = %s AND state = 'running'
RETURNING cancel_requested
"""


def _clean(values: dict) -> dict:
    """JSON-safe metric values: numbers rounded, NaN/inf dropped (JSONB rejects them)."""
    out = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                continue
            value = round(value, 6)
        out[key] = value
    return out


class RunReporter:
    def __init__(self, run: TrainingRun, *, progress: Callable[[int, int, dict], None] | None = None,
                 log_lines: int = 60) -> None:
        self.run, self.progress = run, progress
        self.cancelled = False
        self.lost = False
        self._log: deque[str] = deque(run.log_tail.splitlines()[-log_lines:], maxlen=log_lines)
        self._stop = threading.Event()
        self._log_lock = threading.Lock()  # the heartbeat thread reads the log while the run appends

    # -- called by trainers -------------------------------------------------------------------
    def on_step(self, record: dict) -> None:
        step = int(record["step"])
        values = _clean({k: v for k, v in record.items() if k != "step"})
        self._check()
        RunMetric.objects.bulk_create([RunMetric(run_id=self.run.pk, step=step, values=values)],
                                      update_conflicts=True, unique_fields=["run", "step"],
                                      update_fields=["values", "recorded_at"])
        with connection.cursor() as cursor:
            cursor.execute(_STEP_SQL, [step, step, self.log_text, self.run.pk, self.run.attempt])
            row = cursor.fetchone()
        self._apply(row)
        self.run.step = step
        if self.progress:
            self.progress(step, self.run.total_steps, values)
        self._check()

    def log(self, line: str) -> None:
        stamped = f"[{timezone.now():%H:%M:%S}] {line}"
        with self._log_lock:
            self._log.append(stamped)
        log.info("run %s: %s", self.run.pk, line)

    @property
    def log_text(self) -> str:
        with self._log_lock:
            return "\n".join(self._log)

    def check(self) -> None:
        """Raise if the run was cancelled or taken over; executors call it between phases."""
        self.beat()
        self._check()

    # -- heartbeat ------------------------------------------------------------------------------
    def beat(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_BEAT_SQL, [self.log_text, self.run.pk, self.run.attempt])
            self._apply(cursor.fetchone())

    def _apply(self, row) -> None:
        if row is None:
            self.lost = True
        elif row[0]:
            self.cancelled = True

    def _check(self) -> None:
        if self.lost:
            raise RunLost(f"run {self.run.pk} attempt {self.run.attempt} was taken over")
        if self.cancelled:
            raise RunCancelled(f"run {self.run.pk} cancelled")

    def _beat_forever(self) -> None:
        try:
            while not self._stop.wait(settings.RUN_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # a database blip must not kill the run; the next beat retries
                    log.warning("heartbeat of run %s failed", self.run.pk, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    @contextmanager
    def heartbeat(self):
        thread = threading.Thread(target=self._beat_forever, name=f"run-{self.run.pk}-heartbeat", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=5)
