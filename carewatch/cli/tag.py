"""``carewatch tag``: tag one call from a script (category, outcome, resolved, note)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    open_store,
    operator_of,
)
from carewatch.records import CallRow

if TYPE_CHECKING:
    from carewatch.config import Config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("call_id", metavar="CALL_ID")
    parser.add_argument("--category")
    parser.add_argument(
        "--subcategory",
        metavar="S",
        help="the request type within the category (the config's subcategories)",
    )
    parser.add_argument("--outcome")
    parser.add_argument("--resolved", metavar="yes/no")
    parser.add_argument("--note", metavar="TEXT")
    parser.add_argument("--operator", metavar="NAME", help="who tags (default: login name)")
    parser.add_argument("--source", metavar="NAME", help="the source, when the id is in several")
    parser.add_argument(
        "--queue",
        metavar="NAME",
        help="the call's entry in this queue, when it entered several (default: the entry an "
        "operator answered last, else the latest)",
    )


def entry_to_tag(calls: list[CallRow]) -> CallRow:
    """Which entry of a call (one per queue it entered) a tag by call id goes to: the one an
    operator answered most recently (the conversation the tag is about), else the latest."""
    answered = [c for c in calls if c.answered_at is not None]
    if answered:
        return max(answered, key=lambda c: (c.answered_at, c.started_at, c.id))
    return max(calls, key=lambda c: (c.started_at, c.id))


def _parse_yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise UsageError(f"--resolved: expected yes or no, not {value!r}")


def _check_choice(kind: str, value: str, valid: list[str]) -> None:
    if value not in valid:
        listed = ", ".join(valid) or "(none in the config)"
        raise UsageError(f"unknown {kind} {value!r}; valid: {listed}")


def _check_subcategory(config: Config, category: str | None, value: str) -> None:
    """A sub-category must be one of its category's in the config."""
    found = config.category(category) if category else None
    if found is None or not found.subcategories:
        raise UsageError(
            f"--subcategory: the call's category {category!r} has no sub-categories in the config"
        )
    _check_choice(f"sub-category of {category}", value, found.subcategories)


def run(args: argparse.Namespace) -> int:
    config = config_of(args)
    changes: list[tuple[str, Any]] = []
    if args.category is not None:
        _check_choice("category", args.category, [c.name for c in config.categories])
        changes.append(("category", args.category))
    if args.outcome is not None:
        _check_choice("outcome", args.outcome, [o.name for o in config.outcomes])
        changes.append(("outcome", args.outcome))
    if args.resolved is not None:
        changes.append(("resolved", _parse_yes_no(args.resolved)))
    if args.note is not None:
        changes.append(("note", args.note))
    if not changes and args.subcategory is None:
        raise UsageError(
            "nothing to tag: give --category, --subcategory, --outcome, --resolved or --note"
        )
    with open_store(args, config) as store:
        calls = store.find_calls(args.call_id)
        if args.source:
            calls = [c for c in calls if c.source == args.source]
        if args.queue:
            calls = [c for c in calls if c.queue == args.queue]
        if not calls:
            where = f" in queue {args.queue!r}" if args.queue else ""
            raise Failure(f"no call with id {args.call_id!r}{where} in {store.display_name}")
        sources = sorted({c.source for c in calls})
        if len(sources) > 1:
            raise UsageError(
                f"call id {args.call_id!r} is in several sources ({', '.join(sources)}); "
                "add --source"
            )
        call = entry_to_tag(calls)
        operator = operator_of(args)
        written = 0
        if args.subcategory is not None:
            _check_subcategory(config, args.category or call.category, args.subcategory)
            changes.append(("subcategory", args.subcategory))
        for field_name, value in changes:
            if store.tag(call.id, field_name, value, operator) is not None:
                written += 1
    entry = f" (queue {call.queue})" if len(calls) > 1 and call.queue else ""
    print(
        f"call {args.call_id}{entry}: {written} tag(s) written, {len(changes) - written} unchanged"
    )
    return EXIT_OK


COMMAND = Command(
    name="tag", help="tag one call from a script", add_arguments=add_arguments, run=run
)
