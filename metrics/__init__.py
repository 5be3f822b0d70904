"""Outcome measures (docs/metrics.md) as pure functions over data frames.

Nothing here imports Dash or SQLAlchemy: the CLI and the pages fetch facts from the warehouse
and hand frames in; what goes out to a user passes through ``metrics.disclosure`` first.
"""

HORIZONS = {"24h": 24.0, "72h": 72.0, "7d": 168.0, "28d": 672.0, "90d": 2160.0}
Z95 = 1.959964
