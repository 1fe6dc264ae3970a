"""Running one claimed run: the heartbeat around it, the executor of its kind, and every way it can
end (succeeded by the executor; cancelled; failed with the reason; lost to another worker)."""
from __future__ import annotations

import logging
import traceback
from typing import Callable

from training.models import RunKind, TrainingRun
from training.runs import services
from training.runs.errors import RunCancelled, RunFailure, RunLost
from training.runs.executors.common import free_accelerator
from training.runs.options import RunOptions, run_options
from training.runs.reporter import RunReporter

log = logging.getLogger(__name__)


def _executor(kind: str) -> Callable[[TrainingRun, RunOptions, RunReporter], None]:
    if kind == RunKind.REWARD:
        from training.runs.executors.reward import execute
    elif kind == RunKind.SCORING:
        from training.runs.executors.scoring import execute
    elif kind == RunKind.GAPO:
        from training.runs.executors.gapo import execute
    else:
        raise RunFailure(f"no executor for run kind {kind!r}")
    return execute


def run_execute(run_id: int, *, worker: str | None = None,
                progress: Callable[[int, int, dict], None] | None = None) -> TrainingRun | None:
    """Claim and run; returns the run as it ended, or None when there was nothing to claim."""
    run = services.run_claim(run_id, worker=worker)
    if run is None:
        return None
    reporter = RunReporter(run, progress=progress)
    reporter.log(f"attempt {run.attempt} on {run.worker}")
    with reporter.heartbeat():
        try:
            _executor(run.kind)(run, run_options(run), reporter)
        except RunCancelled:
            reporter.log("cancelled at the user's request")
            services.run_mark_cancelled(run)
        except RunLost as exc:
            log.warning("%s; this worker stops without writing", exc)
        except RunFailure as exc:
            services.run_fail(run, error=str(exc))
        except Exception as exc:  # any bug ends the run as failed with its traceback, never a silent retry
            log.exception("run %s failed", run.pk)
            services.run_fail(run, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}")
        finally:
            free_accelerator()
    TrainingRun.objects.filter(pk=run.pk, attempt=run.attempt).exclude(log_tail=reporter.log_text).update(
        log_tail=reporter.log_text)
    run.refresh_from_db()
    return run
