"""`gomedic serve`: an exporter that runs jobs on a schedule and serves their latest results from a cache.

config.py     the config file (jobs, listen address, token), validated at start; the default jobs
reportio.py   a job's JSON report back into a model.Report
state.py      the result cache: latest report per job, failing-since times, run counters, rendered bodies
scheduler.py  runs each job (a `python -m gomedic <command> --format json` subprocess) at once, then on schedule
app.py        the raw ASGI app (no framework): /metrics, /healthz, /report.json, /-/ready
"""
