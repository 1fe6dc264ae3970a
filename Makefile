# Suites that run apart from the main tests. Each writes its figures where benchmarks/RESULTS.md
# links to (benchmarks/results/*.md); see benchmarks/README.md for what they measure.
#
#   make test        the default test suite (scripts/test: everything not marked slow)
#   make load        throughput target: 32 annotators, next+submit cycles/s and p95 on gunicorn
#   make bench       the annotation API sweep (1, 8, 32 annotators) behind results/annotation.md
#   make chaos       fault injection at 32 annotators (private PostgreSQL/Redis/Celery/gunicorn)
#   make chaos-test  the same faults as pytest assertions (tests/reliability, marked chaos + slow)
#   make fuzz        schemathesis over the OpenAPI schema, the long run (tests/security, marked slow)
#
# load/bench use DATABASE_URL's PostgreSQL server (default 127.0.0.1:5432; they create and drop
# their own database, studio_bench) and REDIS_URL; chaos starts private servers and never touches
# the shared ones. Override e.g. `make load SECONDS=30 REPEAT=5`.

PY ?= .venv/bin/python
CLIENTS ?= 32
SECONDS ?= 20
REPEAT ?= 3
WORKERS ?= 4

.PHONY: test load bench chaos chaos-test fuzz

test:
	scripts/test

load:
	$(PY) benchmarks/bench_annotation.py --clients $(CLIENTS) --seconds $(SECONDS) --workers $(WORKERS) \
		--pairs 20000 --repeat $(REPEAT)

bench:
	$(PY) benchmarks/bench_annotation.py --clients 1 8 32 --seconds $(SECONDS) --workers $(WORKERS) --pairs 20000

chaos:
	$(PY) benchmarks/chaos.py --clients $(CLIENTS) --seconds $(SECONDS)

chaos-test:
	scripts/test -m chaos tests/reliability

fuzz:
	scripts/test -m slow tests/security/test_schema_fuzz.py
