"""carewatch's live screen (Textual). The only part of carewatch that imports Textual.

``create_app`` in :mod:`carewatch.tui.app` builds it for the CLI and the tests; one module per
panel (calls, issues, operators, categories, hourly chart, tiles, now strip, alerts), the
screens (main, help, note, issue), the command palette provider, and ``carewatch.tcss``.
"""
