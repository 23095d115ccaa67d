"""A contact-centre call simulator: realistic call logs for demos, tests and benchmarks.

Everything is drawn from one ``random.Random(seed)``: the same seed and arguments give the
same calls and the same bytes in every format. No global random state and no wall clock are
used by :func:`generate_calls` (only :func:`simulate_history` without ``now`` and
:func:`run_live` look at the clock).

The centre
==========
* Three queues: ``support`` (about half of the calls), ``sales`` (30 %), ``billing`` (20 %).
  Every operator answers ``support``; a third also answer ``sales`` and ``billing``, the others
  one of the two. A waiting call goes to the operator idle the longest (``leastrecent``).
* Ten operators with invented first names (:data:`OPERATORS`), logged in as their name.
* Working days (Monday–Friday) 08:00–20:00 local time, three shifts: early 08:00–14:00 (four
  operators), middle 09:00–17:30 with lunch (three), late 14:00–20:00 (three); logins and logoffs
  a few minutes either side. Saturday 09:00–13:00 (three operators), Sunday 10:00–13:00 (two).
* Arrivals: a Poisson process whose hourly rate peaks at 10–11 (about 80 new calls an hour on
  a Wednesday, plus callers calling again), dips at lunch, has a smaller bump at 15–16 and
  fades towards 20:00: 600–800 calls on a weekday. Mondays are the busiest, Fridays the
  quietest weekday; Saturday has about 110 calls, Sunday about 70. Each day also has a little
  random variation, and about one day in three is a "shipping day" (a delivery problem) with
  more calls, most of them about shipping (over the 40 % alert share).
* Outcome over a week: about 93 % answered, 6–7 % abandoned, under 1 % missed; service level
  (20 s) around 78 %, average wait about 15 s (over a minute for one call in fifteen), longest
  about five minutes.
* Waits come out of the queue itself: short most of the time, over a minute at peaks. Each
  caller has a patience (some hang up within a minute, some wait long, some never give up):
  ``ABANDON`` when it runs out, ``EXITWITHTIMEOUT`` at the queue's timeout (sales and billing
  240 s, support 300 s), ``EXITEMPTY`` when no operator of the queue is logged in and unpaused
  (``leavewhenempty``: a call before the first login, while all of a queue's operators are on a
  break, or still waiting when the last operator of the day leaves).
* An offered call rings an operator for 2–14 s; about one ring in sixteen is not answered
  (``RINGNOANSWER`` after 15 s) and the call goes to the next operator.
* Talk times are log-normal around a median that depends on the category (shipping about
  2 min, complaints about 4 min; mean about 2 min 40 s, over half over the 120 s target),
  followed by 5–40 s of wrap-up. About 4.5 % of answered calls end in a transfer
  (``TRANSFER`` or ``BLINDTRANSFER``), the rest in ``COMPLETECALLER``/``COMPLETEAGENT``.
* Operators pause (``PAUSE``/``UNPAUSE`` with reason ``break``, ``lunch`` or ``training``),
  log in (``AGENTLOGIN`` then ``ADDMEMBER`` per queue) and out (``REMOVEMEMBER`` per queue then
  ``AGENTLOGOFF``). A pause or logoff due during a call starts when the call is over.
* Repeat callers: many callers who abandon call back within the hour; some callers whose
  issue was not resolved call again one to three days later about the same thing; a few
  callers call again for no visible reason. Some abandoned callers are called back by an
  operator when the queue is empty: these are the outbound calls (``direction`` ``out``; csv
  and jsonl only, a queue_log holds only queue calls).
* Caller numbers come from the UK ranges Ofcom reserves for drama (``+44 113 496 0xxx``,
  ``+44 7700 900xxx``...): realistic, and nobody's real number.
* Tags (answered calls): about 88 % get a category from ``config.categories`` (weighted by queue:
  shipping dominates support, and dominates everything on a shipping day), most get an outcome
  from ``config.outcomes`` (conversions mostly in sales), a resolved flag (complaints and
  transfers are resolved less often) and a few a note (some with commas and quotes). About
  30 % answer a post-call survey: CSAT 1–5 and for most of them NPS 0–10, lower when the wait
  was long or the issue not resolved. Category and outcome names not in the default config get
  neutral weights, so any config works.

Formats
=======
``queue_log``
    Asterisk's ``epoch|callid|queue|agent|EVENT|data...``, one line per event, sorted by time
    across calls: ``ENTERQUEUE |callerid|position`` (url empty), ``RINGNOANSWER ringtime_ms``,
    ``CONNECT holdtime|bridged uniqueid|ringtime``, ``COMPLETECALLER``/``COMPLETEAGENT
    holdtime|calltime|origposition``, ``TRANSFER``/``BLINDTRANSFER ext|context|holdtime|calltime|
    origposition``, ``ABANDON``/``EXITWITHTIMEOUT``/``EXITEMPTY position|origposition|waittime``;
    operator events with callid ``NONE``: ``PAUSE``/``UNPAUSE reason`` and ``ADDMEMBER``/
    ``REMOVEMEMBER`` once per queue of the operator, ``AGENTLOGIN channel`` and ``AGENTLOGOFF
    channel|logintime`` with queue ``NONE``. Call ids are Asterisk uniqueids (``1700000000.123``:
    the start epoch and a sequence number). Outbound calls are not in a queue_log.
``csv``
    carewatch's CSV: a header with :data:`CSV_FIELDS`, then one row per call when it ends (an
    abandoned call when the caller hangs up), with times in ISO 8601 with the offset of the
    centre's time zone. For about 40 % of the tagged calls that row has no tags and a later
    *update row* (same ``call_id``, every other field empty) adds category, outcome, resolved and
    note when the operator tags the call (up to ten minutes later); a survey answer always comes
    as its own update row with ``csat`` and ``nps``, a minute or two after the call. A call still
    in progress at the end of the history (``until``) has one row with what is known so far.
    Rows are in the order they were logged.
``jsonl``
    The same rows as the CSV, one JSON object per line: a call's first row has every field
    (``null`` when unknown; numbers as numbers, ``resolved`` as a boolean); an update row has
    only ``call_id`` and the fields it adds.

Live mode (:func:`run_live`) runs a bigger centre so that a demo looks busy at any hour: 30
operators (all logged in at the start, breaks, some lunch around noon, a little training), always
open, a call every 7–8 s on average in waves of half an hour, enough for queues to build up and
drain; one half-hour in three is a shipping surge.
"""

from carewatch.simulate.call import SimCall
from carewatch.simulate.history import generate_calls, simulate_history
from carewatch.simulate.live import run_live
from carewatch.simulate.plan import OPERATORS, QUEUES
from carewatch.simulate.writers import (
    CSV_FIELDS,
    FORMATS,
    write_csv,
    write_jsonl,
    write_queue_log,
)

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "OPERATORS",
    "QUEUES",
    "SimCall",
    "generate_calls",
    "run_live",
    "simulate_history",
    "write_csv",
    "write_jsonl",
    "write_queue_log",
]
