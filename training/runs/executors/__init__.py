"""One module per run kind; each exposes ``execute(run, reporter)`` and ends the run through the
fenced services (succeed/fail) or the registry."""
