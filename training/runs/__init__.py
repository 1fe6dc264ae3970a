"""Training orchestration (Django side): runs on the gpu queue, the reward-model registry and
periodic retraining.

- `services.py`   writes: create, claim (with a fencing attempt), finish, fail, cancel, re-queue stale.
- `reporter.py`   the per-step callback trainers call: metrics time series, heartbeat, cancel.
- `executors/`    one module per run kind: what a claimed run does (reward, scoring, gapo).
- `registry.py`   registering a reward model version and the promotion rule.
- `retrain.py`    the periodic check: new judgments -> dataset version -> reward run.
- `selectors.py`  reads for the API and the run pages.
Celery adapters live in training/tasks.py; the pure ML code in training/reward and training/gapo.
"""
