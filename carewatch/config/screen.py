"""The config sections of the live screen: ``[ui]``, ``[operators]`` and ``[queues.NAME]``.

* ``[ui]``: the theme, the wallboard's rotation, the language, and when an operator not seen
  for a while is away.
* ``[operators]``: login name -> the agent ids the phone system logs for that person
  (``alice = ["PJSIP/2001", "Agent/1001"]``); matching is case-insensitive. Wherever an
  operator is shown or counted, a mapped id is its login (:class:`AgentNames`).
* ``[queues.NAME]``: a queue's own targets, each falling back to ``[targets]``.

Pure data: the screen and the snapshot read these through the functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import Field

from carewatch.config.base import StrictModel
from carewatch.i18n import _

if TYPE_CHECKING:
    from carewatch.records import CallRow


class Ui(StrictModel):
    #: A Textual theme name ("ansi-dark" follows the terminal's own colours). A theme picked
    #: from the command palette is remembered in the state file and wins over this.
    theme: str = "ansi-dark"
    #: The wallboard shows each page (the whole centre and as many queues as fit the screen)
    #: for this many seconds.
    wall_rotate_seconds: float = Field(default=10, ge=2, le=3600)
    #: The language of the screen, the report and the messages ("en" or "it"); unset, the
    #: locale decides (LC_ALL, LC_MESSAGES, LANG). ``--lang`` wins over it.
    language: Literal["en", "it"] | None = None
    #: An operator logged in (or a static member of a queue) with no event of their own (a
    #: login, pause, ring, call...) for longer than this many minutes is "away", not idle nor
    #: free; 0 turns the rule off (:func:`carewatch.kpi.presence.is_away`).
    away_after_minutes: int = Field(default=480, ge=0, le=100_000)


class QueueTargets(StrictModel):
    """Targets of one queue; a key left out falls back to ``[targets]``."""

    service_level_goal: float | None = Field(default=None, ge=0, le=1)
    abandon_rate_max: float | None = Field(default=None, ge=0, le=1)
    long_wait_alert_seconds: float | None = Field(default=None, gt=0)


def _agent_list(value: object) -> object:
    """``alice = "PJSIP/2001"`` is accepted as a list of one."""
    return [value] if isinstance(value, str) else value


#: What ``[operators]`` holds once validated: login name -> agent ids.
OperatorsMap = dict[str, list[str]]


def check_operators(value: object) -> OperatorsMap:
    """Validate ``[operators]``: each value a non-empty agent id or list of them."""
    if not isinstance(value, dict):
        raise ValueError(_("expected a table of login = [agent ids]"))
    checked: OperatorsMap = {}
    for login, agents in value.items():
        items = _agent_list(agents)
        if not isinstance(items, list) or not items:
            raise ValueError(
                _('{login}: expected a list of agent ids, e.g. ["PJSIP/2001"]').format(login=login)
            )
        ids = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise ValueError(
                    _("{login}: every agent id must be a non-empty string, not {item!r}").format(
                        login=login, item=item
                    )
                )
            ids.append(item.strip())
        checked[str(login)] = ids
    owner: dict[str, str] = {}
    for login, ids in checked.items():
        for agent in ids:
            other = owner.setdefault(fold(agent), login)
            if other != login:
                raise ValueError(
                    _(
                        "{login}: agent id {agent!r} is already {other}'s; "
                        "an agent id belongs to one operator"
                    ).format(login=login, agent=agent, other=other)
                )
    return checked


def fold(name: str | None) -> str:
    """How names are compared: case-insensitive, surrounding blanks ignored."""
    return (name or "").strip().casefold()


def operator_agents(operators: OperatorsMap, operator: str | None) -> frozenset[str]:
    """The names (folded) that are ``operator`` on the screen: the name itself, and when it is
    a login of ``[operators]`` or one of its agent ids, that login and all its agent ids (each
    looked up case-insensitively, :meth:`AgentNames.login`)."""
    if not operator:
        return frozenset()
    names = {fold(operator)}
    found = AgentNames(operators).login(operator)
    if found is not None:
        login, ids = found
        names.add(fold(login))
        names.update(fold(a) for a in ids)
    return frozenset(names)


class AgentNames(dict[str, str]):
    """Agent id as a log spells it -> the operator it is: the login ``[operators]`` maps it
    to (compared case-insensitively), else the id itself. Every figure and line that names an
    operator reads its agents through this, so the ids of one login are one operator.

    A dict filled as ids are met: after the first time, an id costs one dict lookup.
    """

    def __init__(self, operators: OperatorsMap) -> None:
        super().__init__()
        self._logins = {fold(a): login for login, agents in operators.items() for a in agents}
        self._operators = {fold(login): (login, tuple(ids)) for login, ids in operators.items()}

    def __missing__(self, agent: str) -> str:
        name = self[agent] = self._logins.get(fold(agent), agent)
        return name

    def call(self, call: CallRow) -> CallRow:
        """``call`` with its agent shown as the operator it is (the same row when it is)."""
        agent = call.agent
        if not agent:
            return call
        name = self[agent]
        return call if name == agent else call._replace(agent=name)

    def login(self, name: str) -> tuple[str, tuple[str, ...]] | None:
        """The login ``name`` is (a login of ``[operators]`` or one of its agent ids, each
        compared case-insensitively) and its agent ids as the config spells them; ``None``
        when it is neither."""
        login = self._logins.get(fold(name))
        return self._operators.get(fold(name if login is None else login))


class CentreTargets(Protocol):
    """The centre-wide targets a queue falls back to (``[targets]``)."""

    service_level_goal: float
    abandon_rate_max: float
    long_wait_alert_seconds: float


@dataclass(frozen=True)
class QueueGoals:
    """The targets one queue is coloured against."""

    service_level_goal: float
    abandon_rate_max: float
    long_wait_alert_seconds: float


def queue_goals(
    targets: CentreTargets, queues: Mapping[str, QueueTargets], queue: str | None
) -> QueueGoals:
    """``[queues.NAME]``'s targets for ``queue``, each falling back to ``[targets]``."""
    own = queues.get(queue or "") or QueueTargets()
    return QueueGoals(
        service_level_goal=(
            targets.service_level_goal if own.service_level_goal is None else own.service_level_goal
        ),
        abandon_rate_max=(
            targets.abandon_rate_max if own.abandon_rate_max is None else own.abandon_rate_max
        ),
        long_wait_alert_seconds=(
            targets.long_wait_alert_seconds
            if own.long_wait_alert_seconds is None
            else own.long_wait_alert_seconds
        ),
    )
