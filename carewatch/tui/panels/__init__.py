"""The panels of the main screen, one module each: they read a snapshot and paint it.

calls, issues, operators, categories, hourly chart, headline tiles, the now strip and title
bar, the alerts line; ``rows`` holds what the DataTable panels share.
"""
