"""Post-mortem of a Go service (`gomedic why`): pure readers and recognisers over log text.

- lines.py     a log line from any source (journal JSON, /dev/kmsg, dmesg, audit.log), and the last run
- signs.py     Sign (one recognised line: what it means, when, from where) and Kind (the vocabulary)
- gosigns.py   the Go runtime's, the loader's and common Go library messages
- kernel.py    the kernel's OOM, trap, segfault and audit SECCOMP records
- sdexit.py    systemd's exit-status table (data/sd_exit.json) and its own messages about a unit
- causes.py    for each Kind: the cause, the fix, and the gomedic checks that catch it before a start
- verdict.py   the most likely cause from the signs and the exit status
- timespan.py  systemd time spans (TimeoutStopSec=)

Nothing here does I/O; gomedic.facts.postmortem reads the sources.
"""
