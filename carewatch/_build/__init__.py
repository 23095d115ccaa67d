"""Build-time code (the wheel's hatchling hook); not part of the installed package."""
