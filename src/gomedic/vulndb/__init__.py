"""The Go vulnerability database (vuln.go.dev): its OSV entries, a local cache, and matching binaries.

source.py reads the published files (https:// or http:// with timeouts and size caps, or a file:/// mirror),
layout.py knows both layouts (the v1 `index/db.json` one and the older `index.json` one), cache.py keeps
what was read under the user's cache directory, osv.py parses entries into typed values, match.py decides
whether a module version falls in an entry's ranges (Go's ordering), db.py puts them together. scan.py
matches one binary (modules, Go release, symbols), scancache.py keeps its findings between runs, ignore.py
holds accepted advisories, usercheck.py serves the YAML `binary` kind. docs/vulns.md describes it all.
"""
