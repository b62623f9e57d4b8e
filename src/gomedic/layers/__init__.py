"""Configuration layers: every place a Go variable can be set before `go` sees it, read and never executed.

Pure code: parsers for shell rc files (sh/bash/zsh, fish), direnv `.envrc`, dotenv files, and the resolver
that predicts the value that wins in a terminal, in VS Code and in a debugged `go test`. The files come from
gomedic.facts.layers, which does the reading.
"""
