"""Which parser reads a file: by the format's name, or detected from the file's first bytes."""

from __future__ import annotations

import csv
import importlib
import json
from collections.abc import Callable

from carewatch.config import FORMATS, Config
from carewatch.records import BadLine
from carewatch.sources.base import Parser
from carewatch.sources.csvjson import CsvParser, JsonlParser, normalise_name
from carewatch.sources.mapped import MappedParser

__all__ = ["FORMATS", "detect_format", "make_parser"]

# FORMATS (from the config module): the formats a source can have; ``auto`` in a config
# means "detect one of these".


def make_parser(fmt: str, config: Config) -> Parser:
    """A fresh parser for one file of format ``fmt``, in the config's timezone.

    ``mapped`` needs the config's ``[mapping]``. Raises ``ValueError`` for an unknown
    format or a ``mapped`` format without a mapping.
    """
    tz = config.tz
    if fmt == "csv":
        return CsvParser(tz)
    if fmt == "jsonl":
        return JsonlParser(tz)
    if fmt == "queue_log":
        from carewatch.sources.queue_log import QueueLogParser

        return QueueLogParser(tz)
    if fmt == "cdr":
        from carewatch.sources.cdr import CdrParser

        return CdrParser(tz)
    if fmt == "mapped":
        if config.mapping is None:
            where = config.path or "the config"
            raise ValueError(
                f"format 'mapped' needs a [mapping] section in {where} "
                "(see config/examples/ for complete mappings)"
            )
        return MappedParser(tz, config.mapping)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _head_lines(head: bytes) -> list[str]:
    """The complete, non-blank lines of a file's first bytes, decoded leniently.

    The last line is dropped when the head stops inside it, unless it is the only one.
    """
    parts = head.split(b"\n")
    if len(parts) > 1 and parts[-1]:
        parts = parts[:-1]
    lines: list[str] = []
    for raw in parts:
        text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r")
        if text.strip():
            lines.append(text)
    return lines


def _is_jsonl(lines: list[str]) -> bool:
    if not lines[0].lstrip().startswith("{"):
        return False
    for line in lines[:5]:
        try:
            if isinstance(json.loads(line), dict):
                return True
        except ValueError:
            continue
    return False


def _is_carewatch_csv(lines: list[str]) -> bool:
    try:
        cells = next(csv.reader([lines[0]]))
    except (csv.Error, StopIteration):
        return False
    names = {normalise_name(cell) for cell in cells}
    return {"call_id", "started_at"} <= names


def _is_mapped(lines: list[str], config: Config) -> bool:
    if config.mapping is None:
        return False
    try:
        MappedParser(config.tz, config.mapping).read_header(lines[0])
    except BadLine:
        return False
    return True


def _optional_check(module: str, function: str) -> Callable[[list[str]], bool] | None:
    """``looks_like_*`` of a parser module, or ``None`` while that module does not exist."""
    try:
        imported = importlib.import_module(f"carewatch.sources.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"carewatch.sources.{module}":
            return None
        raise
    return getattr(imported, function)


def detect_format(head: bytes, config: Config, path: str | None = None) -> str:
    """The format of a file from its first bytes (a few KB): one of :data:`FORMATS`.

    In order: JSON object lines -> ``jsonl``; a CSV header with ``call_id`` and
    ``started_at`` -> ``csv``; a header with every column of the config's mapping ->
    ``mapped``; then ``queue_log`` and ``cdr`` by their own checks. Raises
    ``ValueError`` ("cannot tell the format of X; pass --format") otherwise.
    """
    name = path or "the input"
    lines = _head_lines(head)
    if not lines:
        raise ValueError(f"cannot tell the format of {name}: it is empty; pass --format")
    if _is_jsonl(lines):
        return "jsonl"
    if _is_carewatch_csv(lines):
        return "csv"
    if _is_mapped(lines, config):
        return "mapped"
    for fmt, module, function in (
        ("queue_log", "queue_log", "looks_like_queue_log"),
        ("cdr", "cdr", "looks_like_cdr"),
    ):
        check = _optional_check(module, function)
        if check is not None and check(lines):
            return fmt
    raise ValueError(
        f"cannot tell the format of {name}; pass --format (one of {', '.join(FORMATS)})"
    )
