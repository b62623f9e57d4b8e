"""Stdlib-only readers of executable formats and Go build info. Pure parsing over random-access reads."""
