"""Probing a live Go service from the outside: fetch its runtime endpoints and read them.

fetch.py is the only I/O over HTTP (urllib3, size caps, a hard deadline per request, no cross-host
redirects); promtext.py, expvar.py and pprof.py are pure parsers; sample.py merges what was read into
one RuntimeSample; window.py turns two samples into rates; procinfo.py reads /proc for `--pid`;
collect.py drives discovery and sampling. Heavy imports (urllib3, prometheus_client) happen inside the
functions that need them.
"""
