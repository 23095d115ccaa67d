"""Which parser reads a file: by the format's name, or detected from the file's first bytes."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable

from carewatch.config import FORMATS, Config
from carewatch.i18n import _
from carewatch.records import BadLine
from carewatch.sources.base import Parser
from carewatch.sources.cdr import CdrParser, looks_like_cdr
from carewatch.sources.csvjson import CsvParser, JsonlParser, normalise_name
from carewatch.sources.mapped import MappedParser
from carewatch.sources.queue_log import QueueLogParser, looks_like_queue_log

__all__ = ["DETECTORS", "FORMATS", "PARSERS", "detect_format", "make_parser", "wide_text"]

# FORMATS (from the config module): the formats a source can have; ``auto`` in a config
# means "detect one of these".


def _mapped_parser(config: Config, delimiter: str | None) -> Parser:
    if config.mapping is None:
        where = config.path or "the config"
        raise ValueError(
            _(
                "format 'mapped' needs a [mapping] section in {where} "
                "(see config/examples/ for complete mappings)"
            ).format(where=where)
        )
    mapping = config.mapping
    if delimiter is not None:
        mapping = mapping.model_copy(update={"delimiter": delimiter})
    return MappedParser(config.tz, mapping)


#: Format name -> a fresh parser for one file, in the config's timezone, with the source's
#: CSV delimiter (``None``: the format's own; only the CSV formats have one).
PARSERS: dict[str, Callable[[Config, str | None], Parser]] = {
    "csv": lambda config, delimiter: CsvParser(config.tz, delimiter or ","),
    "jsonl": lambda config, _delimiter: JsonlParser(config.tz),
    "queue_log": lambda config, _delimiter: QueueLogParser(config.tz),
    "cdr": lambda config, _delimiter: CdrParser(config.tz),
    "mapped": _mapped_parser,
}


def make_parser(fmt: str, config: Config, *, delimiter: str | None = None) -> Parser:
    """A fresh parser for one file of format ``fmt``, in the config's timezone.

    ``mapped`` needs the config's ``[mapping]``; ``delimiter`` (a source's) replaces the
    CSV formats' own. Raises ``ValueError`` for an unknown format or a ``mapped`` format
    without a mapping.
    """
    factory = PARSERS.get(fmt)
    if factory is None:
        raise ValueError(
            _("unknown format {format}; use one of {formats}").format(
                format=repr(fmt), formats=", ".join(FORMATS)
            )
        )
    return factory(config, delimiter)


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


#: Format name -> does a file whose first complete lines are these have that format?
#: Tried in this order: the first that says yes names the format.
DETECTORS: dict[str, Callable[[list[str], Config], bool]] = {
    "jsonl": lambda lines, _config: _is_jsonl(lines),
    "csv": lambda lines, _config: _is_carewatch_csv(lines),
    "mapped": _is_mapped,
    "queue_log": lambda lines, _config: looks_like_queue_log(lines),
    "cdr": lambda lines, _config: looks_like_cdr(lines),
}


#: Byte-order marks of the encodings whose line end is not the byte ``\n`` (UTF-32 LE first:
#: its mark starts with UTF-16 LE's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def wide_text(head: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when a file's first bytes are text in that encoding (its
    byte-order mark, or a NUL byte in nearly every other position, as a Windows export
    without a mark writes), else ``None``. carewatch reads lines ended by the byte ``\n``:
    such a file must be converted to UTF-8 first."""
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    sample = head[:512]
    if len(sample) < 16:
        return None
    halves = sample[0::2], sample[1::2]
    nuls = sorted(half.count(0) / len(half) for half in halves)
    # one half nearly all NUL (the high bytes of ASCII characters), the other almost none
    # (a run of NUL bytes a crash left in a file fills both halves)
    return "UTF-16" if nuls[1] >= 0.6 and nuls[0] <= 0.05 else None


def detect_format(head: bytes, config: Config, path: str | None = None) -> str:
    """The format of a file from its first bytes (a few KB): one of :data:`FORMATS`.

    In order: JSON object lines -> ``jsonl``; a CSV header with ``call_id`` and
    ``started_at`` -> ``csv``; a header with every column of the config's mapping ->
    ``mapped``; then ``queue_log`` and ``cdr`` by their own checks. Raises
    ``ValueError`` ("cannot tell the format of X; pass --format") otherwise.
    """
    name = path or _("the input")
    wide = wide_text(head)
    if wide is not None:
        raise ValueError(
            _(
                "{name} is {encoding} text, which carewatch does not read: convert it to "
                "UTF-8 first (iconv -f {encoding} -t UTF-8)"
            ).format(name=name, encoding=wide)
        )
    lines = _head_lines(head)
    if not lines:
        raise ValueError(
            _("cannot tell the format of {name}: it is empty; pass --format").format(name=name)
        )
    for fmt, detects in DETECTORS.items():
        if detects(lines, config):
            return fmt
    raise ValueError(
        _("cannot tell the format of {name}; pass --format (one of {formats})").format(
            name=name, formats=", ".join(FORMATS)
        )
    )
