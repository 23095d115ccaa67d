"""carewatch's live screen (Textual). The only part of carewatch that imports Textual.

The rule: **panels read a snapshot and paint it; every write goes through the app.** A refresh
worker reads the store and builds a :class:`~carewatch.tui.snapshot.Snapshot`; the main screen
hands each panel its part and the panel paints it. Tags, notes, undo and issues are queued by
:mod:`carewatch.tui.writes` for the app's one writer thread. Nothing in a panel touches the
store.

Layout:

* ``app.py`` — the app, its workers (refresh, version watcher, file follower, writer) and
  ``create_app``, the factory the CLI and the tests use; ``carewatch.tcss`` — the styles.
* ``panels/`` — one module per panel: calls, issues, operators, categories, hourly chart,
  headline tiles, the now strip and title bar, alerts. Each declares its own help
  (``PANEL_HELP``, :mod:`carewatch.tui.panels.panel`); ``rows`` is the base of the tables.
* ``screens/`` — the main screen, its tagging keys (``tagging``), the help for the focused
  panel, and the one-line prompt modal with its two uses (a note, an issue from a call).
* ``snapshot`` (what one refresh reads), ``writes`` (every write), ``messages`` (what the
  workers post), ``commands`` (the command palette), ``text`` (the one place text from a log
  becomes a Rich ``Text``), ``words`` (the screen's words in the current language: key
  bindings, dates).

Language: every word a person reads goes through the catalog (:mod:`carewatch.i18n`): ``_()``
where text is made, ``N_()`` on class-level constants (panel help, column headers, bindings'
descriptions, dialog wording) translated where shown; data from the logs and the config is
never translated. Textual copies ``BINDINGS`` into each node when it is made:
:func:`~carewatch.tui.words.translate_bindings` translates that copy in the node's
``__init__``, so the language must be set before the app is built. A pseudo-language test
(tests/test_tui_language.py) fails when a word on the screen is not in the catalog.
"""
