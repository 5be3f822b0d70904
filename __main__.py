"""``python -m harbour``: the ``harbour`` command."""

from harbour.cli import main

main()
