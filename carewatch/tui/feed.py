"""What runs beside the screen: a demo's producer of calls, and who sits at the keyboard."""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable
from dataclasses import dataclass

StartHook = Callable[[threading.Event], None]


@dataclass(frozen=True)
class DemoFeed:
    """A producer of calls that runs while the screen is open (``carewatch demo``).

    ``run(stop)`` is called in a thread worker when the screen starts; it must return soon
    after ``stop`` is set (the screen sets it when it closes). ``label`` is shown in the
    title bar.
    """

    run: StartHook
    label: str = "DEMO"


def default_operator() -> str:
    """The login name, or ``"operator"`` when the system cannot tell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"
