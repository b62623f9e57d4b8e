"""The Go vulnerability database (vuln.go.dev): its OSV entries, a local cache, and version matching.

source.py reads the published files (https:// or http:// with timeouts and size caps, or a file:/// mirror),
layout.py knows both layouts (the v1 `index/db.json` one and the older `index.json` one), cache.py keeps
what was read under the user's cache directory, osv.py parses entries into typed values, match.py decides
whether a module version falls in an entry's ranges (Go's ordering), db.py puts them together.
"""
