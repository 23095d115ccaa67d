"""The screens: the main screen, the help for the focused panel, and the one-line prompt
modal with its two uses (a note, an issue opened from a call)."""
