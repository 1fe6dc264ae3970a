"""Domain errors of training runs (the API's error handler renders StudioError subclasses)."""
from __future__ import annotations

from studio_platform.errors import StudioError


class RunStateConflict(StudioError):
    """The run is not in a state that allows this action (e.g. cancelling a finished run)."""

    status_code = 409
    code = "run_state_conflict"


class RunCancelled(Exception):
    """Raised inside a run at the next step after a cancel request; the executor stops cleanly."""


class RunLost(Exception):
    """The run was taken over (its heartbeat went stale and it was re-queued): stop without writing."""


class RunFailure(Exception):
    """A run cannot go on for a reason the user can fix (bad dataset, missing model); message says how."""


MSG_NOT_CANCELLABLE = "Run {id} is {state}; only queued or running runs can be cancelled."
MSG_NO_DATASET = "A {kind} run needs a dataset version; pass dataset_version (see /api/datasets/)."
MSG_DATASET_FAILED = "Dataset version {id} failed to build ({error}); build it again or choose another version."
MSG_NO_PROMOTED = "No promoted reward model yet; train one (kind 'reward') or pass reward_model."
MSG_UNKNOWN_KIND = ("kind must be one of reward, gapo, scoring (got {kind!r}); there are no generation runs: every "
                    "gapo run samples base vs trained videos on held-out prompts.")
MSG_BAD_CONFIG = "Invalid config for a {kind} run: {error}"
MSG_WORKER_LOST = "The worker stopped sending heartbeats {times} time(s); gave up after {max} attempts."
