"""`gomedic serve`: an exporter that runs jobs on a schedule and serves their latest results from a cache.

config.py     the config file (jobs, listen address, token, HTTP limits), validated at start; the default jobs
jobargs.py    the arguments a job may pass to its command: a strict allow-list per command
state.py      the result cache: latest report per job, failing-since times, run counters, rendered bodies
scheduler.py  runs each job (a `python -m gomedic <command> --format json` subprocess) at once, then on schedule
app.py        routing (no I/O): /metrics, /report.json, /-/healthy, /-/ready, /healthz
httpd.py      the HTTP/1.1 server: an asyncio protocol with head deadline, keep-alive timeout, connection caps
run.py        the event loop (uvloop when installed), sweeper, scheduler and signals
"""
