"""Condition sets: decisions outside the duties that the rule data states as conditions.

A condition set (``[[conditions]]`` in a regime file; :class:`~ungeforloeb.rules.model.Conditions`)
lists, in order, the facts that must hold on a day — for example when UDB opens the
jobcenter's subscription for a young person. Which conditions, in which order, with which
values, from when and on what source are the rule data's; this module only knows how each named
fact reads the case view (:class:`~ungeforloeb.casefile.fold.Facts`, as of the day), and
:func:`first_unmet` checks them in the data's order.

The facts (the vocabulary a condition may name):

- ``open_order``: an education order has been issued on or before the day and has not ended on
  it (the order and its steps are what Min Plan shows as the education plan, 001:878–883);
- ``age_below`` (takes ``value``): the age in whole years on the day (the case view's
  :meth:`~ungeforloeb.casefile.fold.Facts.age_on`) is below ``value``; unknown (erased) is not;
- ``active_contact_group``: the case view has a visitation group on the day
  (:attr:`~ungeforloeb.casefile.fold.Facts.current_group`) and no ``BenefitEnded`` on or before
  it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ungeforloeb.casefile.fold import Facts
from ungeforloeb.rules.model import Condition, Conditions


def _open_order(facts: Facts, day: date, _: int | None) -> bool:
    return any(o.rec.occurred_on <= day and (o.ended is None or o.ended.occurred_on > day)
               for o in facts.orders.values())


def _age_below(facts: Facts, day: date, value: int | None) -> bool:
    age = facts.age_on(day)
    return age is not None and value is not None and age < value


def _active_contact_group(facts: Facts, day: date, _: int | None) -> bool:
    ended = facts.benefit_ended
    return facts.current_group is not None and (ended is None or ended.occurred_on > day)


FACTS: dict[str, tuple[bool, Callable[[Facts, date, int | None], bool]]] = {
    "open_order": (False, _open_order),
    "age_below": (True, _age_below),
    "active_contact_group": (False, _active_contact_group),
}
"""Each fact a condition may name: (whether it takes a ``value``, how it reads the case view)."""


def first_unmet(conditions: Conditions, facts: Facts, day: date) -> Condition | None:
    """The first of ``conditions`` (in the data's order) that does not hold for the case view
    ``facts`` on ``day`` — which should be a view as of ``day`` — or ``None`` when all hold."""
    for condition in conditions.requires:
        _, holds = FACTS[condition.fact]
        if not holds(facts, day, condition.value):
            return condition
    return None
