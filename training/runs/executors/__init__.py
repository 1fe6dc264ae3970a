"""One module per run kind; each exposes ``execute(run, options, reporter)`` (``options``: the run's
typed options, training/runs/options.py) and ends the run through the fenced services (succeed/fail)
or the registry."""
