"""carewatch: live customer-care KPIs from a phone system's call logs."""

__version__ = "0.1.0"
