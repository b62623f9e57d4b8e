"""Fleet views: merge per-host JSON reports (schema gomedic/report/v1) into one summary.

`reports` parses (pure) and reads (I/O) host reports, `summary` merges them into a FleetSummary, `render`
prints that as text, Markdown or JSON (schema gomedic/fleet-summary/v1, render/schemas/fleet-summary-v1.json).
"""
