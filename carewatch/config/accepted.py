"""Config documents the models accepted, remembered between runs: a command that must start
fast (``carewatch tag``, issue 10) reads what it needs of a config the models validated before
without importing pydantic again.

The models (:mod:`carewatch.config.models`) stay the one judge. After a command has validated
the merged document of the layers, :func:`keep` writes what that command reads of the
validated config (``value``: plain JSON) to a small file named by :func:`document_key`, a
SHA-256 of:

* the document, in a canonical JSON (keys sorted; every value with its TOML type, so ``1``,
  ``1.0`` and ``true`` differ, and dates and times keep theirs);
* what can change the models' verdict on it (:func:`rules_stamp`): carewatch's version, the
  file's layout (:data:`FORMAT`), Python's version (text encodings and time zones are checked
  with its library), the size and modification time of the sources of the models' rules
  (:data:`RULE_SOURCES`) and of the installed pydantic's version module. An edited checkout or
  another pydantic gives other names, so an old verdict is never read.

:func:`find` gives that value back for the same document and rules. Only accepted documents are
ever kept, so a bad config is validated, and its error given by the models, every time. The
caller leaves out what it knows the models accept whatever it holds (``carewatch tag``: the
database, any string), so one file serves every ``--db``.

Files go under :func:`carewatch.cachedir.cache_folder` (``accepted-configs/``), written to a
temporary file of the same folder and renamed (a reader never sees half a file); the newest
:data:`MAX_FILES` are kept. A folder that cannot be written, or a file that cannot be read or
does not hold what was written, is passed over: the cache only saves time. One thing it cannot
see: a time zone named by the config that the system's time-zone database loses later would
still be taken as valid until carewatch, Python or pydantic changes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from carewatch import __version__
from carewatch.cachedir import cache_folder, write_kept

#: The sub-folder of the cache folder holding the files.
FOLDER = "accepted-configs"
#: Files kept (the least recently written are removed beyond): one per distinct config and
#: command, so a centre needs one or two; the cap bounds the ones left by edits and upgrades.
MAX_FILES = 20
#: The layout of a file; a new one makes the old files unused.
FORMAT = 1
#: The sources of the config's rules, relative to the ``carewatch`` package: the models and
#: every module of ``carewatch/config``, and the modules the models read (log formats, zones).
RULE_SOURCES = ("config", "records.py", "timeutil.py")

_PACKAGE = Path(__file__).resolve().parent.parent


def _typed(value: object) -> object:
    """``value`` (a TOML document's) with its type spelt out, for :func:`canonical`."""
    if isinstance(value, dict):
        return {"table": {str(k): _typed(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"array": [_typed(v) for v in value]}
    if isinstance(value, float):
        return {"float": repr(value)}  # nan and inf too
    if isinstance(value, datetime | date | time):
        return {type(value).__name__: value.isoformat()}
    return {type(value).__name__: value}  # str, int, bool


def canonical(document: Mapping[str, Any]) -> str:
    """The document as one JSON text, the same for the same document whatever its keys' order,
    different for a value of another type."""
    return json.dumps(_typed(dict(document)), sort_keys=True, ensure_ascii=False)


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [path.name, None]
    return [path.name, st.st_size, st.st_mtime_ns]


def rules_stamp() -> list[object]:
    """What the models' verdict on a document depends on besides the document (the module)."""
    sources: list[Path] = []
    for name in RULE_SOURCES:
        path = _PACKAGE / name
        sources += sorted(path.glob("*.py")) if path.is_dir() else [path]
    import importlib.util

    pydantic = importlib.util.find_spec("pydantic")
    origin = pydantic.origin if pydantic is not None else None
    return [
        __version__,
        FORMAT,
        sys.version,
        [_stat(path) for path in sources],
        _stat(Path(origin).parent / "version.py") if origin else None,
    ]


def document_key(kind: str, document: Mapping[str, Any]) -> str:
    """The name of ``kind``'s file for ``document`` under the current rules."""
    import hashlib

    text = json.dumps([kind, rules_stamp()], sort_keys=True) + "\n" + canonical(document)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _path(kind: str, document: Mapping[str, Any]) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    return folder / FOLDER / f"{kind}-{document_key(kind, document)}.json"


def find(kind: str, document: Mapping[str, Any]) -> Any:
    """What :func:`keep` kept for ``kind`` and ``document`` under the current rules, else
    ``None`` (nothing kept, or a file that cannot be read or is not one of ours)."""
    path = _path(kind, document)
    if path is None:
        return None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # JSON errors and bad UTF-8 are ValueErrors
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT or kept.get("kind") != kind:
        return None
    return kept.get("value")


def keep(kind: str, document: Mapping[str, Any], value: object) -> None:
    """Remember ``value`` (plain JSON) as what ``kind`` reads of ``document``, a document the
    models accepted; nothing when the cache folder is unknown or cannot be written."""
    path = _path(kind, document)
    if path is None:
        return
    text = json.dumps({"format": FORMAT, "kind": kind, "value": value}, ensure_ascii=False)
    write_kept(path, text, MAX_FILES)
