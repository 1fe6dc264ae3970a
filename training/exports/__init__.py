"""Versioned dataset exports (Django side of the training app).

ORM-free: `splits.py` (group splits),
`schema.py` (the tables' Arrow schemas), `writer.py` (streaming Parquet/JSONL writer),
`card.py` (the Hugging Face dataset card and agreement figures). With the ORM: `selectors.py`
(the build's selection and table queries, list/detail reads), `build.py` (one build: queries ->
Arrow batches -> writer -> files), `services.py` (create, requeue, rebuild, build, fail stale),
`errors.py` (domain errors). The frozen description and its hashes: `training/dataset_description.py`
(ORM-free, below both this package and the models that store it). Celery adapters: `training/tasks.py`;
API: `training/api/`.
"""
