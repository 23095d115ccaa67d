"""Reading and parsing a file in a child process while this one writes what it parsed
(:func:`parsed_ahead`): the two halves of a one-shot ingest on the two cores.

Only SQLite's own work runs without the interpreter lock (sqlite3 binds every value holding
it), so a thread that commits does not overlap a thread that parses (measured: no gain). A
child process forked at the position reads and parses the batches one after the other, as
:meth:`~carewatch.sources.reader.LogReader.next_batch` does in this process, and hands each
over through a pipe (``marshal``: records as plain tuples, rebuilt here); this process
commits them in order, each with its position, as it would have read them. The first batch
is parsed here meanwhile (the child skips its lines), so that nobody waits for it; when it
does not end where the child started (a record it cut, a file that grew), the rest is read
here. The child never touches the database and ends with ``os._exit``; it is killed when this
process stops reading early (a commit that failed, another process that moved the position)
and an error in it is raised here. Used for a queue_log (no header, no state from one line to
the next) with at least :data:`AHEAD_BYTES` left to read, where ``os.fork`` exists.
"""

from __future__ import annotations

import marshal
import os
import signal
import struct
from collections.abc import Callable, Generator
from typing import IO, TYPE_CHECKING, Any

from carewatch import apart
from carewatch.records import AgentEvent, CallUpdate, Record, SystemStarted
from carewatch.sources.lines import ReadResult, read_lines
from carewatch.sources.parse import Parsed
from carewatch.sources.queue_log import QueueLogParser

if TYPE_CHECKING:
    from carewatch.sources.base import Parser
    from carewatch.sources.reader import LogReader

#: A batch: its lines (read to), what they gave, whether they reach the end of the file,
#: the bytes left after the last newline.
Batch = tuple[ReadResult, Parsed, bool, int]

#: Bytes left to read from which a child process reads ahead (a smaller read costs more to
#: fork than it saves).
AHEAD_BYTES = 4 * 1024 * 1024

#: Whether this system forks a child that may read ahead (Linux; see :func:`can_read_ahead`).
FORKS = apart.FORKS

_SIZE = struct.Struct("<Q")
_CALL, _EVENT, _STARTED = 0, 1, 2


def can_read_ahead(parser: Parser) -> bool:
    """Whether a child process can parse for ``parser``: a queue_log parser (no header, no
    state carried from one line to the next), on Linux (a fork without an exec is safe there;
    macOS documents it unsafe once system libraries are loaded, and Windows has none)."""
    return type(parser) is QueueLogParser and FORKS


def worth_a_process(fd: int, offset: int) -> bool:
    """Whether the open file has at least :data:`AHEAD_BYTES` after ``offset``."""
    return os.fstat(fd).st_size - offset >= AHEAD_BYTES


def parsed_ahead(reader: LogReader, final: bool) -> Generator[Batch, None, None]:
    """The batches of ``reader`` from its position, read and parsed by a child process (here
    when none can be forked); close the iterator to stop it early (the child is then
    killed)."""
    pos = reader.position
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit, memory): read them here
        os.close(read_end)
        os.close(write_end)
        yield from reader.one_by_one(final)
        return
    if pid == 0:  # the child: read, parse, send; never returns
        os.close(read_end)
        _child(reader, pos.offset, pos.line_no, final, write_end)
    os.close(write_end)
    done = False
    try:
        with open(read_end, "rb") as pipe:
            # the first batch is parsed here while the child parses the second
            first = reader.next_batch(pos.offset, pos.line_no, final=final)
            if first is None:
                return
            yield first
            if first[2]:  # at the end of the file
                return
            start = _receive(pipe)
            if start[0] == "error":
                done = True
                raise _error(start)
            if start[1:] != (first[0].offset, first[0].line_no):
                # the batch ended inside a record, or the file grew in between: read here
                yield from reader.one_by_one(final)
                return
            while True:
                message = _receive(pipe)
                kind = message[0]
                if kind == "end":
                    reader.pending = message[1]
                    done = True
                    return
                if kind == "error":
                    done = True
                    raise _error(message)
                _, offset, line_no, at_end, pending, records, skipped, repaired, read = message
                got = ReadResult([], offset, line_no, pending, at_end=at_end)
                parsed = Parsed(_records(records), skipped, repaired, read)
                yield got, parsed, at_end, pending
    finally:
        if not done:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _child(reader: LogReader, offset: int, line_no: int, final: bool, fd: int) -> None:
    code = 0
    out = os.fdopen(fd, "wb")
    try:
        # the lines of the first batch, which the parent parses: where the second starts
        first = read_lines(reader.fd, offset, line_no, max_lines=reader.batch_lines, final=final)
        offset, line_no = first.offset, first.line_no
        _send(out, ("start", offset, line_no))
        out.flush()
        while True:
            batch = reader.next_batch(offset, line_no, final=final)
            if batch is None:
                _send(out, ("end", reader.pending))
                break
            got, parsed, at_end, pending = batch
            records = [_packed(n, record) for n, record in parsed.records]
            _send(
                out,
                (
                    "batch",
                    got.offset,
                    got.line_no,
                    at_end,
                    pending,
                    records,
                    parsed.skipped,
                    parsed.repaired,
                    parsed.read,
                ),
            )
            if at_end:
                _send(out, ("end", pending))
                break
            offset, line_no = got.offset, got.line_no
        out.flush()
    except BaseException as exc:  # told to the parent, which raises it
        code = 1
        try:
            errno = exc.errno if isinstance(exc, OSError) else None
            # an OSError's own words ("Input/output error"), not "[Errno 5] ..." again
            text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            _send(out, ("error", type(exc).__name__, errno, text))
            out.flush()
        except BaseException:  # the parent is gone: nobody to tell
            pass
    finally:
        os._exit(code)


def _packed(line_no: int, record: Record) -> tuple[Any, ...]:
    if type(record) is CallUpdate:
        return (
            line_no,
            _CALL,
            record.call_id,
            record.fields,
            record.creates,
            record.leg,
            record.at,
        )
    if type(record) is AgentEvent:
        return (
            line_no,
            _EVENT,
            record.at,
            record.agent,
            record.event,
            record.queue,
            record.reason,
            record.call_id,
            record.ring_ms,
        )
    if type(record) is SystemStarted:
        return (line_no, _STARTED, record.at)
    raise TypeError(f"a queue_log record is not a {type(record).__name__}")


#: The record each packed kind is rebuilt as.
_KINDS: dict[int, Callable[..., Record]] = {
    _CALL: CallUpdate,
    _EVENT: AgentEvent,
    _STARTED: SystemStarted,
}


def _records(packed: list[tuple[Any, ...]]) -> list[tuple[int, Record]]:
    return [(p[0], _KINDS[p[1]](*p[2:])) for p in packed]


def _send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    out.write(_SIZE.pack(len(data)))
    out.write(data)


def _receive(pipe: IO[bytes]) -> tuple[Any, ...]:
    head = pipe.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise OSError("the process reading ahead ended before the end of the file")
    (size,) = _SIZE.unpack(head)
    data = pipe.read(size)
    if len(data) < size:
        raise OSError("the process reading ahead ended before the end of the file")
    message: tuple[Any, ...] = marshal.loads(data)
    return message


def _error(message: tuple[Any, ...]) -> BaseException:
    _, name, errno, text = message
    if errno is not None:
        return OSError(errno, os.strerror(errno)) if not text else OSError(errno, text)
    if name == "KeyboardInterrupt":
        return KeyboardInterrupt()
    return OSError(f"reading ahead: {name}: {text}")
