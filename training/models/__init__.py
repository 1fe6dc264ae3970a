"""Models of the training app: dataset versions (datasets.py) and training runs, reward-model
versions and retrain policies (runs.py)."""
from training.models.datasets import FINAL_STATES, DatasetFile, DatasetFileFormat, DatasetStatus, DatasetVersion
from training.models.runs import (
    RUN_FINAL_STATES,
    RetrainPolicy,
    RewardModelScore,
    RewardModelVersion,
    RunKind,
    RunMetric,
    RunState,
    RunTrigger,
    TrainingRun,
)

__all__ = [
    "FINAL_STATES", "DatasetFile", "DatasetFileFormat", "DatasetStatus", "DatasetVersion",
    "RUN_FINAL_STATES", "RetrainPolicy", "RewardModelScore", "RewardModelVersion", "RunKind", "RunMetric", "RunState",
    "RunTrigger", "TrainingRun",
]
