"""``carewatch tag``: tag one call from a script (category, outcome, resolved, note).

A script may tag call after call, so tag starts fast (issue 10: ≤ 150 ms): it reads of the
config only :class:`TagConfig`, and reads it without importing pydantic when the config is the
shipped default (with at most a database of its own: :mod:`carewatch.config.unchanged`) or a
document the models accepted on an earlier run (:mod:`carewatch.config.accepted`, in the cache
folder); any other config is loaded and validated by the models as every command does (the
same errors, every time), and what tag reads of it is kept for the next run. On SQLite the
store runs through the ``sqlite3`` driver, so tag imports neither pydantic nor SQLAlchemy there
(tests/test_import_hygiene.py checks it).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from carewatch.charset import without_accents
from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    open_store,
    operator_of,
    patience,
    say,
)
from carewatch.i18n import N_, _, ngettext
from carewatch.records import CallRow

if TYPE_CHECKING:
    from carewatch.config import Config


#: The name of tag's files in :mod:`carewatch.config.accepted`.
KIND = "tag"


def _is_category(item: object) -> bool:
    """A category as :meth:`TagConfig.kept` writes it: ``[name, [sub-category, ...]]``."""
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], list)
        and all(isinstance(s, str) for s in item[1])
    )


@dataclass(frozen=True)
class TagConfig:
    """What tag reads of the config: the database, the categories (name -> sub-categories,
    in the config's order) and the outcomes' names."""

    database: str | None
    categories: dict[str, list[str]]
    outcomes: list[str]

    @classmethod
    def of(cls, config: Config) -> TagConfig:
        """From a config the models validated."""
        return cls(
            config.database,
            {c.name: list(c.subcategories) for c in config.categories},
            [o.name for o in config.outcomes],
        )

    @classmethod
    def of_kept(cls, database: str | None, kept: object) -> TagConfig | None:
        """From what :meth:`kept` gave (read back from the cache), with ``database``; ``None``
        when ``kept`` is not of that shape (a damaged file)."""
        if not isinstance(kept, dict):
            return None
        categories, outcomes = kept.get("categories"), kept.get("outcomes")
        if not (
            isinstance(categories, list)
            and all(_is_category(c) for c in categories)
            and isinstance(outcomes, list)
            and all(isinstance(o, str) for o in outcomes)
        ):
            return None
        return cls(database, {name: list(subs) for name, subs in categories}, list(outcomes))

    def kept(self) -> dict[str, Any]:
        """The choices as plain JSON for :func:`carewatch.config.accepted.keep` (the database
        is not kept: it comes from the layers on every run)."""
        return {
            "categories": [[name, subs] for name, subs in self.categories.items()],
            "outcomes": self.outcomes,
        }

    @classmethod
    def of_default(cls, document: Mapping[str, Any]) -> TagConfig:
        """From the shipped default's document (:func:`~carewatch.config.unchanged.is_default`),
        read as the models read it (a test compares the two)."""
        return cls(
            document.get("database"),
            {c["name"]: list(c.get("subcategories", [])) for c in document.get("categories", [])},
            [o["name"] for o in document.get("outcomes", [])],
        )


def tag_config(args: argparse.Namespace) -> TagConfig:
    """:class:`TagConfig` of the effective config (:func:`~carewatch.cli.common.config_of`):
    from the document itself when it is the shipped default (:mod:`carewatch.config.
    unchanged`), else from what tag kept of the same document when the models accepted it
    before (:mod:`carewatch.config.accepted`), else from the models, keeping it for next time.
    The database is left out of the kept document (any string is valid): one file serves
    every ``--db`` and ``CAREWATCH_DB``."""
    from carewatch.config import accepted
    from carewatch.config.layers import all_layers, merge_layers
    from carewatch.config.unchanged import DATABASE, is_default, without_database

    layers = all_layers(getattr(args, "config", None), db=getattr(args, "db", None))
    document = merge_layers(layers)
    rest = without_database(document)
    if rest is not None:
        if is_default(rest, layers[0].data):
            return TagConfig.of_default(document)
        found = TagConfig.of_kept(document.get(DATABASE), accepted.find(KIND, rest))
        if found is not None:
            return found
    from carewatch.config.load import validate_layers

    config = TagConfig.of(validate_layers(layers).config)
    if rest is not None:  # always so: the models accept no database but a string
        accepted.keep(KIND, rest, config.kept())
    return config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("call_id", metavar="CALL_ID")
    parser.add_argument("--category", help=_("the call's category (the config's categories)"))
    parser.add_argument(
        "--subcategory",
        metavar="S",
        help=_("the request type within the category (the config's subcategories)"),
    )
    parser.add_argument("--outcome", help=_("the call's outcome (the config's outcomes)"))
    parser.add_argument("--resolved", metavar="yes/no", help=_("whether the request was resolved"))
    parser.add_argument("--note", metavar="TEXT", help=_('a note on the call ("" clears it)'))
    parser.add_argument("--operator", metavar="NAME", help=_("who tags (default: login name)"))
    parser.add_argument("--source", metavar="NAME", help=_("the source, when the id is in several"))
    parser.add_argument(
        "--queue",
        metavar="NAME",
        help=_(
            "the call's entry in this queue, when it entered several (default: the entry an "
            "operator answered last, else the latest)"
        ),
    )


def entry_to_tag(calls: list[CallRow]) -> CallRow:
    """Which entry of a call (one per queue it entered) a tag by call id goes to: the one an
    operator answered most recently (the conversation the tag is about), else the latest."""
    answered = [c for c in calls if c.answered_at is not None]
    if answered:
        return max(answered, key=lambda c: (c.answered_at, c.started_at, c.id))
    return max(calls, key=lambda c: (c.started_at, c.id))


def _parse_yes_no(value: str) -> bool:
    """yes or no, in English or in the current language ("sì", also typed "si"), any case."""
    text = _folded(value)
    if text in ("yes", "y", "true", "1", _folded(_("yes"))):
        return True
    if text in ("no", "n", "false", "0", _folded(_("no"))):
        return False
    raise UsageError(_("--resolved: expected yes or no, not {value!r}").format(value=value))


def _folded(text: str) -> str:
    """``text`` stripped, lowercase, without accents ("Sì" is "si")."""
    return without_accents(text.strip().lower())


def _check_choice(unknown: str, value: str, valid: list[str], **names: str) -> None:
    """:class:`UsageError` when ``value`` is not in ``valid``; ``unknown`` (marked) says so."""
    if value not in valid:
        listed = ", ".join(valid) or _("(none in the config)")
        raise UsageError(_(unknown).format(value=value, valid=listed, **names))


def _check_subcategory(config: TagConfig, category: str | None, value: str) -> None:
    """A sub-category must be one of its category's in the config."""
    found = config.categories.get(category) if category else None
    if not found:
        raise UsageError(
            _(
                "--subcategory: the call's category {category!r} has no sub-categories "
                "in the config"
            ).format(category=category)
        )
    _check_choice(
        N_("unknown sub-category of {category} {value!r}; valid: {valid}"),
        value,
        found,
        category=str(category),
    )


def _chosen(found: list[CallRow], args: argparse.Namespace, database: str) -> list[CallRow]:
    """The entries of ``found`` (every entry with the call id) that ``--source`` and
    ``--queue`` leave, or :class:`Failure`: a call id that is there under another source or
    in other queues says which, so a script sees what to give instead."""
    calls = found
    if not calls:
        raise Failure(
            _("no call with id {call_id!r} in {database}").format(
                call_id=args.call_id, database=database
            )
        )
    if args.source:
        calls = [c for c in calls if c.source == args.source]
        if not calls:
            raise Failure(
                _(
                    "no call with id {call_id!r} from source {source!r} in {database}; "
                    "its sources: {sources}"
                ).format(
                    call_id=args.call_id,
                    source=args.source,
                    database=database,
                    sources=", ".join(sorted({c.source for c in found})),
                )
            )
    if args.queue:
        entries = calls
        calls = [c for c in entries if c.queue == args.queue]
        if not calls:
            queues = sorted({c.queue for c in entries if c.queue})
            raise Failure(
                _(
                    "no call with id {call_id!r} in queue {queue!r} in {database}; "
                    "its queues: {queues}"
                ).format(
                    call_id=args.call_id,
                    queue=args.queue,
                    database=database,
                    queues=", ".join(queues) or _("(none)"),
                )
            )
    return calls


def run(args: argparse.Namespace) -> int:
    config = tag_config(args)
    changes: list[tuple[str, Any]] = []
    if args.category is not None:
        _check_choice(
            N_("unknown category {value!r}; valid: {valid}"),
            args.category,
            list(config.categories),
        )
        changes.append(("category", args.category))
    if args.outcome is not None:
        _check_choice(
            N_("unknown outcome {value!r}; valid: {valid}"),
            args.outcome,
            config.outcomes,
        )
        changes.append(("outcome", args.outcome))
    if args.resolved is not None:
        changes.append(("resolved", _parse_yes_no(args.resolved)))
    if args.note is not None:
        changes.append(("note", args.note if args.note.strip() else None))  # "": cleared
    if not changes and args.subcategory is None:
        raise UsageError(
            _("nothing to tag: give --category, --subcategory, --outcome, --resolved or --note")
        )
    with (
        open_store(args, config, create=False) as store,  # a mistyped --db is no new file
        patience(store.display_name),  # a script's user is told why it waits
    ):
        found = store.find_calls(args.call_id)
        calls = _chosen(found, args, store.display_name)
        sources = sorted({c.source for c in calls})
        if len(sources) > 1:
            raise UsageError(
                _("call id {call_id!r} is in several sources ({sources}); add --source").format(
                    call_id=args.call_id, sources=", ".join(sources)
                )
            )
        call = entry_to_tag(calls)
        operator = operator_of(args)
        if args.subcategory is not None:
            _check_subcategory(config, args.category or call.category, args.subcategory)
            changes.append(("subcategory", args.subcategory))
        elif args.category is not None and call.subcategory not in (
            None,
            *config.categories.get(args.category, ()),
        ):
            changes.insert(0, ("subcategory", None))  # a request type of the old category
        # one transaction: a database locked half-way leaves the call as it was
        written = store.tag_fields(call.id, changes, operator)
    unchanged = len(changes) - written
    done = (
        ngettext(
            "call {call_id} (queue {queue}): {written} tag written, {unchanged} unchanged",
            "call {call_id} (queue {queue}): {written} tags written, {unchanged} unchanged",
            written,
        )
        if len(calls) > 1 and call.queue
        else ngettext(
            "call {call_id}: {written} tag written, {unchanged} unchanged",
            "call {call_id}: {written} tags written, {unchanged} unchanged",
            written,
        )
    )
    say(
        done.format(call_id=args.call_id, queue=call.queue, written=written, unchanged=unchanged),
        out=True,
    )
    return EXIT_OK


COMMAND = Command(
    name="tag", help=N_("tag one call from a script"), add_arguments=add_arguments, run=run
)
