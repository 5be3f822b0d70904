"""Harbour: an outcomes dashboard for police schemes that protect unaccompanied migrant children.

The repository's root is this package: ``harbour.etl`` loads bundles into the warehouse (``harbour.warehouse``),
``harbour.metrics`` computes every figure of docs/metrics.md, ``harbour.pages`` holds each page of the Dash app
(``harbour.app``), and ``harbour.cli`` is the ``harbour`` command.
"""

__version__ = "0.1.0"
