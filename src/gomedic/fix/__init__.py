"""Remediation: plans for failing results, applied only with `--yes`, with backups and a re-check.

plan.py     Plan, Action, Outcome, FixContext: what a fix is
actions.py  the changes (mkdir, chown -R inside the user's home, chmod, remove lines, run go)
rcblock.py  the marked block written into a shell rc file (--edit-rc)
backup.py   timestamped backups next to edited files, and restore
registry.py check id -> fixer; paths.py and goenv.py hold the fixers
target.py   the user a fix is for (root may act for a user; checks are then run as that user)
engine.py   collect results, plan, apply, re-check
shell.py    shell syntax and rc files; envblock.py derives the block `gomedic shellenv` prints
"""
