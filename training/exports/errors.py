"""Domain errors of dataset exports (rendered by the API's one error handler)."""
from __future__ import annotations

from studio_platform.errors import StudioError


class DatasetStateConflict(StudioError):
    """The version is not in a state that allows this action (e.g. rebuilding one that is building)."""

    status_code = 409
    code = "dataset_state_conflict"


class DatasetNotReady(StudioError):
    """Files are only served once the version is ready."""

    status_code = 409
    code = "dataset_not_ready"


MSG_NO_CAMPAIGNS = "Choose at least one campaign to export."
MSG_UNKNOWN_DIMENSIONS = "Unknown or not part of the chosen campaigns: {unknown}; choose from {valid}."
MSG_NOT_REQUEUEABLE = "Dataset version {id} is {status}; only queued or failed versions can be built again " \
                      "(a ready version is immutable: use rebuild to make a new version from its description)."
MSG_NOT_BUILDING = "Dataset version {id} is {status}, not building; its build was taken over or cancelled."
MSG_NOT_READY = "Dataset version {id} is {status}; files can be downloaded once it is ready."
MSG_STALE = "The build stopped sending heartbeats for {minutes} minutes (worker lost); build it again."
MSG_TOO_FEW_PROMPTS = ("Not enough prompts to hold any out: the judged pairs come from {groups} prompt group(s) "
                       "(prompts sharing a split key or an initial image form one group), and a dataset version "
                       "needs at least {need}: one to train on and one held out to measure the model. Label pairs "
                       "of more prompts, or export with test_fraction 0 (no held-out split).")


class DatasetFilesMissing(StudioError):
    """A ready version's files are gone from both stores (deleted by hand); only a rebuild helps."""

    status_code = 409
    code = "dataset_files_missing"
