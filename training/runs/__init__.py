"""Training orchestration (Django side): runs on the gpu queue, the reward-model registry and
periodic retraining.

- `services.py`   writes: create, claim (with a fencing attempt), finish, fail, cancel.
- `configs.py`    a run's trainer config checked by its kind's dataclass (RewardConfig, GapoConfig).
- `options.py`    typed run options, one frozen dataclass per kind, checked once at creation.
- `resume.py`     how a run resumes after its worker dies: heartbeat -> reap stale -> requeue ->
                  restore the latest whole checkpoint -> continue (its docstring tells the whole path).
- `reporter.py`   the per-step callback trainers call: metrics time series, heartbeat, cancel.
- `executors/`    one module per run kind: what a claimed run does (reward, scoring, gapo).
- `registry.py`   registering a reward model version and the promotion rule.
- `retrain.py`    the periodic check: new judgments -> dataset version -> reward run.
- `selectors.py`  reads for the API and the run pages.
Celery adapters live in training/tasks.py; the pure ML code in training/reward and training/gapo.
"""
