"""How wide each column of a table is: :func:`fit_columns`, from the columns' declared widths
and what their cells need (:class:`Need`, measured in terminal cells once per refresh).

1. Each column starts at its declared width. A flexible column (one with a ``widest`` width:
   names, notes, issue titles...) starts narrower when its cells are (never under its
   narrowest), and a *names* column (queue, operator) starts at least as wide as keeps every
   two of its names apart (``customer-care-i…`` and ``customer-care-s…``, not ``customer-c``
   twice).
2. While the columns do not fit, the droppable ones narrow, the least needed first, as far as
   their cells stay whole (a names column: as far as its names stay apart). When that is not
   enough, the columns of the least needed rank narrow further, cutting their cells, down to
   their narrowest before a column of that rank is left out; otherwise the least needed
   column is left out (highest ``priority`` number, the rightmost of equals). Priority-0
   columns are never left out: when only they are left they narrow, the rightmost first.
3. Room to spare is shared fairly among the columns whose cells are cut, the narrowest growing
   first (a cut name is shown whole before a long note grows further): first up to each
   flexible column's ``widest``, then to what they need whole. So nothing is cut while the
   table has free columns.
4. What is left gives a column narrowed for short cells its declared width back.

A cell cut by its column ends in "…" (see ``RowsTable.sync_rows``); a name cut to the same text
as another name of its column keeps its beginning and its end around the "…" instead
(:func:`cut_names`: ``Busin…North``, ``Busin…South``, not ``Business Ac…`` twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from rich.cells import cell_len

from carewatch.i18n import _

#: Columns DataTable adds around each cell (``cell_padding`` 1 on each side).
CELL_PADDING = 2
#: How wide a names column grows while it shares room with other columns (it grows further,
#: to show a longer name whole, only into room nobody else needs).
NAME_WIDEST = 24
#: The same for a caller, and for a category or an outcome.
CALLER_WIDEST = 20
WORD_WIDEST = 20


class Column(NamedTuple):
    """A column: key, header, width; ``priority`` 0 is never dropped, higher numbers are
    dropped first; ``narrowest`` is the width it may shrink to (default: its width).

    The header is marked with ``N_`` and shown in the current language; ``say``: a function
    that says it instead (a header that needs a context in the catalog); ``words``: the marked
    words the column's cells show (a call's status, in the current language), so the column is
    as wide as the longest of them."""

    key: str
    label: str
    width: int
    priority: int = 0
    narrowest: int | None = None
    words: Callable[[], Iterable[str]] | None = None
    say: Callable[[], str] | None = None
    #: Flexible: the width it grows to, while sharing room with other columns, when its cells
    #: need it (a note, an issue's title, a name); ``None``: its declared width.
    widest: int | None = None
    #: Its cells name things (queues, operators): never cut so short that two look alike
    #: while a less needed column can make room.
    names: bool = False

    @property
    def title(self) -> str:
        """The header in the current language."""
        return self.say() if self.say is not None else _(self.label)

    @property
    def full_width(self) -> int:
        """Its width, widened for a longer header or cell word in the current language."""
        words = self.words() if self.words is not None else ()
        return max(self.width, cell_len(self.title), *(cell_len(word) for word in words))

    @property
    def min_width(self) -> int:
        """The narrowest this column gets (never under its header)."""
        return max(cell_len(self.title), self.narrowest or self.width)


class Need(NamedTuple):
    """What a column's cells need, in terminal cells: ``width`` shows the widest of them
    whole; ``apart`` keeps every two different ones apart when cut (names columns; else 0)."""

    width: int
    apart: int = 0


def apart_width(values: Iterable[str]) -> int:
    """The fewest cells that keep every two different ``values`` apart when each is cut to
    that width with "…" at its end (``customer-care-italy``, ``customer-care-spain``: 16,
    ``customer-care-i…``). Two values that differ only after their common beginning need the
    longer shown up to its first different character, or the shorter one whole."""
    ordered = sorted({value for value in values if value})
    apart = 0
    for first, second in pairwise(ordered):
        same = next(
            (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), len(first)
        )
        if same == len(first):  # first is second's beginning: first whole, second cut after
            pair = cell_len(first)
        else:
            differ = max(cell_len(first[same]), cell_len(second[same]))
            pair = min(cell_len(first[:same]) + differ + 1, max(cell_len(first), cell_len(second)))
        apart = max(apart, pair)
    return apart


#: What a cut name shows in place of what it leaves out.
ELLIPSIS = "…"
#: Characters that end a word of a name (where the end kept by :func:`cut_names` may start).
_WORD_ENDS = frozenset(" \t-–—_./:,;|()[]")


def cut_end(text: str, width: int) -> str:
    """``text`` in ``width`` terminal cells: whole when it fits, else its beginning and "…"."""
    if cell_len(text) <= width:
        return text
    return _head(text, width - 1) + ELLIPSIS


def _head(text: str, cells: int) -> str:
    """The longest beginning of ``text`` that takes at most ``cells`` terminal cells."""
    out, used = [], 0
    for character in text:
        used += cell_len(character)
        if used > cells:
            break
        out.append(character)
    return "".join(out)


def _common(first: str, second: str) -> int:
    """How many characters ``first`` and ``second`` share at their beginning."""
    return next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )


def _middle_cut(name: str, differs_at: int, width: int) -> str:
    """``name`` in ``width`` cells with its beginning, "…" and its end from the word where it
    differs from a name that looks alike (character ``differs_at``): ``Busin…North``. When that
    end is too long for the width, it is cut too: ``Busi…North Bi…``."""
    at = min(differs_at, len(name) - 1)
    start = at
    while start > 0 and name[start - 1] not in _WORD_ENDS:
        start -= 1
    if start == 0:  # one word to the difference: the end from the difference itself
        start = at
    tail = name[start:]
    room = width - 1 - cell_len(tail)
    if room >= 1:
        head = _head(name, room).rstrip("".join(_WORD_ENDS)) or _head(name, room)
        return head + ELLIPSIS + tail
    head = _head(name, max(1, (width - 1) // 3))
    return head + ELLIPSIS + cut_end(tail, width - 1 - cell_len(head))


def cut_names(names: Iterable[str], width: int) -> dict[str, str]:
    """Each of ``names`` as a column ``width`` cells wide shows it, so that two different names
    look different where the width allows: a name that fits is whole; a longer one keeps its
    beginning and ends in "…" (``Premium Broadb…``), unless that is what another name shows
    too: then it keeps its beginning and its end, from the word where it differs from the names
    that look alike, around the "…" (``Business Accounts North`` and ``… South`` in 14 cells:
    ``Business…North``, ``Business…South``)."""
    ordered = sorted({name for name in names if name})
    shown = {name: cut_end(name, width) for name in ordered}
    if width < 3:
        return shown
    alike: dict[str, list[str]] = {}
    for name in ordered:
        alike.setdefault(shown[name], []).append(name)
    for group in alike.values():
        if len(group) < 2:
            continue
        for index, name in enumerate(group):  # sorted: the closest names are the neighbours
            neighbours = group[max(0, index - 1) : index] + group[index + 1 : index + 2]
            differs_at = max(_common(name, other) for other in neighbours)
            shown[name] = _middle_cut(name, differs_at, width)
    return shown


@dataclass
class _Plan:
    """The widths one column may take: ``hard`` its narrowest; ``soft`` the narrowest it
    gets while a less needed column can go instead (its cells still whole, or a names column's
    names still apart); ``start``; ``want``, what it grows to while sharing room; ``whole``,
    what shows every cell whole; ``full``, its declared width."""

    hard: int
    soft: int
    start: int
    want: int
    whole: int
    full: int

    @classmethod
    def of(cls, column: Column, need: Need | None) -> _Plan:
        full, hard = column.full_width, column.min_width
        if need is None:  # cells not known: as declared, a flexible column up to its widest
            want = max(full, column.widest or full)
            return cls(hard, hard, full, want, want, full)
        content = max(need.width, cell_len(column.title))
        if column.widest is None:
            return cls(hard, max(hard, min(full, content)), full, full, max(full, content), full)
        want = max(hard, min(column.widest, content))
        apart = min(want, need.apart) if column.names else 0
        start = max(hard, apart, min(want, full))
        soft = max(hard, apart) if column.names else max(hard, min(start, content))
        return cls(hard, soft, start, want, max(want, content), full)


def _share(
    spare: int, shown: Sequence[Column], widths: dict[str, int], goal: dict[str, int]
) -> int:
    """Give ``spare`` cells to the columns under their ``goal``, fairly: the narrowest of them
    grows first (so a cut name is shown whole before a long note grows further), the leftmost
    of equals first; returns what is left."""
    while spare > 0:
        growing = [c.key for c in shown if widths[c.key] < goal[c.key]]
        if not growing:
            break
        level = min(widths[key] for key in growing)
        for key in growing:
            if widths[key] == level and spare:
                widths[key] += 1
                spare -= 1
    return spare


def _shave(
    excess: int, columns: Sequence[Column], widths: dict[str, int], floor: dict[str, int]
) -> int:
    """Take ``excess`` cells from ``columns`` down to their ``floor``, fairly: the widest of
    them narrows first, the rightmost of equals first; returns what could not be taken."""
    while excess > 0:
        narrowing = [c.key for c in reversed(columns) if widths[c.key] > floor[c.key]]
        if not narrowing:
            break
        level = max(widths[key] for key in narrowing)
        for key in narrowing:
            if widths[key] == level and excess:
                widths[key] -= 1
                excess -= 1
    return excess


def fit_columns(
    columns: Sequence[Column], width: int, needs: Mapping[str, Need] | None = None
) -> list[tuple[Column, int]]:
    """The columns shown in ``width`` cells, each with its width (see the module's text).
    ``needs``: what each column's cells need (a column missing from it has no cells); ``None``:
    not known, every column as declared and a flexible one growing up to its ``widest``."""
    plans = {
        c.key: _Plan.of(c, None if needs is None else needs.get(c.key, Need(0))) for c in columns
    }
    shown = list(columns)
    widths = {c.key: plans[c.key].start for c in shown}
    soft = {key: plan.soft for key, plan in plans.items()}
    hard = {key: plan.hard for key, plan in plans.items()}

    def excess() -> int:
        return sum(widths[c.key] + CELL_PADDING for c in shown) - width

    while excess() > 0:
        droppable = [c for c in shown if c.priority > 0]
        if not droppable:
            for floor in (soft, hard):  # only the ones never left out: the rightmost first
                for c in reversed(shown):
                    widths[c.key] -= max(0, min(excess(), widths[c.key] - floor[c.key]))
            break
        rank = max(c.priority for c in droppable)
        least = [c for c in droppable if c.priority == rank]
        room = sum(widths[c.key] - soft[c.key] for c in droppable)
        if room >= excess():
            # narrowing the droppable columns is enough: the least needed first
            for c in sorted(reversed(droppable), key=lambda c: -c.priority):
                widths[c.key] -= min(excess(), widths[c.key] - soft[c.key])
            break
        if room + sum(soft[c.key] - hard[c.key] for c in least) >= excess():
            # the least needed rank cuts its cells before a column of it goes
            for c in droppable:
                widths[c.key] = soft[c.key]
            _shave(excess(), least, widths, hard)
            break
        shown.remove(least[-1])
    spare = max(0, -excess())
    spare = _share(spare, shown, widths, {key: plan.want for key, plan in plans.items()})
    spare = _share(spare, shown, widths, {key: plan.whole for key, plan in plans.items()})
    for c in shown:  # what is left: a column narrowed for short cells gets its width back
        grow = min(spare, plans[c.key].full - widths[c.key])
        if grow > 0:
            widths[c.key] += grow
            spare -= grow
    return [(c, widths[c.key]) for c in shown]
