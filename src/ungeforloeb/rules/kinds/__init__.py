"""The rule kinds: each is one small unit — its fields, its load-time check, its judgement, and
its description for the docs — chosen by the ``kind`` key of a rule in the regime data.

- ``deadline`` (:mod:`.clocked`): something must happen by a due date; late is missed.
- ``documented`` (:mod:`.clocked`): something must be documented; late documentation still
  counts as met, absence after the expected date (or the case's end) is missed.
- ``event_flag`` (:mod:`.event_flag`): a recorded event (the first, the latest, or any in a
  window) must carry a flag.
- ``single_caseworker`` (:mod:`.single_caseworker`): one caseworker over the last part of the
  case.
- ``step_deadline`` (:mod:`.step_deadline`): the education order's step deadline, as set (and
  moved) in the case.
- ``minimum_count`` (:mod:`.minimum_count`): at least n events within a window.
- ``max_gap`` (:mod:`.max_gap`): after one spell ends, the next begins within a gap.
- ``same_value`` (:mod:`.same_value`): a later event repeats an earlier event's value (the
  group at the final visitation as at the first conversation).

A new kind is a new module here with a :class:`Kind` added to :data:`KINDS`; the loader, the
evaluator and the docs find it there.
"""

from __future__ import annotations

from collections.abc import Mapping

from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.clocked import DEADLINE, DOCUMENTED
from ungeforloeb.rules.kinds.event_flag import EVENT_FLAG
from ungeforloeb.rules.kinds.max_gap import MAX_GAP
from ungeforloeb.rules.kinds.minimum_count import MINIMUM_COUNT
from ungeforloeb.rules.kinds.same_value import SAME_VALUE
from ungeforloeb.rules.kinds.single_caseworker import SINGLE_CASEWORKER
from ungeforloeb.rules.kinds.step_deadline import STEP_DEADLINE

KINDS: Mapping[str, Kind] = {k.name: k for k in (DEADLINE, DOCUMENTED, EVENT_FLAG,
                                                 SINGLE_CASEWORKER, STEP_DEADLINE,
                                                 MINIMUM_COUNT, MAX_GAP, SAME_VALUE)}
"""Every kind by its name in the data."""

KIND_KEYS: tuple[str, ...] = tuple(dict.fromkeys(key for k in KINDS.values() for key in k.keys))
"""Every kind-specific key (a rule may use only its own kind's)."""

__all__ = ["KINDS", "KIND_KEYS", "Kind"]
