"""Run checkpoints on object storage (STORAGE_BACKEND=s3), so any GPU host can resume a run and
load a registered model: each finished `step-N` folder is published under
`runs/<run>/checkpoints/step-N` (training.artifacts: manifest last, sha256-checked on fetch) and
the run's `checkpoint_uri` moves to it. With filesystem storage checkpoints stay in
RUNS_ROOT/<run>/ (a shared volume) and `checkpoint_uri` is that local path."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from training.artifacts import fetch_folder, publish_folder, storage_is_local
from training.models import TrainingRun
from training.runs.errors import RunFailure
from training.step_folders import step_folders

# Written last by each trainer's save: a folder that has it is complete.
COMPLETE_MARKERS = ("metrics.json", "trainer_state.json")


def checkpoint_key(run_id: int, folder_name: str) -> str:
    return f"runs/{int(run_id)}/checkpoints/{folder_name}"


class CheckpointSync:
    """Publishes a run's completed checkpoint folders (remote storage only) and restores the one a
    previous attempt published before this attempt's trainer looks for it."""

    def __init__(self, run: TrainingRun, local_dir: Path):
        self.run, self.local_dir = run, Path(local_dir)
        self.remote = not storage_is_local()
        self.published: set[str] = set()

    def restore(self) -> None:
        uri = self.run.checkpoint_uri
        if not self.remote or not uri or not uri.startswith(f"runs/{self.run.pk}/checkpoints/"):
            return
        target = self.local_dir / uri.rsplit("/", 1)[1]
        fetch_folder(uri, target)
        self.published.add(target.name)

    def sync(self) -> str | None:
        """Publish complete folders not published yet; returns the newest published key."""
        if not self.remote or not self.local_dir.is_dir():
            return None
        newest = None
        for folder in step_folders(self.local_dir):
            if folder.name in self.published or not any((folder / m).exists() for m in COMPLETE_MARKERS):
                continue
            key = checkpoint_key(self.run.pk, folder.name)
            publish_folder(folder, key)
            self.published.add(folder.name)
            newest = key
        if newest:
            TrainingRun.objects.filter(pk=self.run.pk, attempt=self.run.attempt).update(checkpoint_uri=newest)
        return newest

    def uri_of(self, folder: Path) -> str:
        """What a model version records: the bucket key (remote) or the local path."""
        return checkpoint_key(self.run.pk, folder.name) if self.remote else str(folder)


def local_checkpoint(uri: str) -> Path:
    """A local folder holding the checkpoint `uri` (a local path, or a bucket key fetched into
    RUNS_ROOT/model-cache/<key>, checked byte for byte)."""
    path = Path(uri)
    if path.is_absolute():
        if not path.is_dir():
            raise RunFailure(f"checkpoint {uri} is not on this host; share RUNS_ROOT or use object storage")
        return path
    if storage_is_local():
        raise RunFailure(f"checkpoint {uri!r} is a bucket key but storage is local; set STORAGE_BACKEND=s3")
    target = Path(settings.RUNS_ROOT) / "model-cache" / uri
    fetch_folder(uri, target)
    return target
