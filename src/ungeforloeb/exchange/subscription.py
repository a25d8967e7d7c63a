"""The jobcenter's UDB subscription per young person (CreateUDBabonnement).

UDB refuses a subscription unless the citizen has an education plan, is under 30 and has an
active contact group (STAR's service description; outside the seeds). From 2022 the
subscription stays open when the young person leaves benefit, so that risk-of-dropout messages
keep arriving (000:379–381), and the review recommends it stay open until closed by hand
(001:1152): here only an explicit ``close_subscription`` command closes it.

Our readings of the three conditions, from what the event log knows:

- *education plan*: an education order has been issued and has not ended (the order and its
  steps are what Min Plan shows as the education plan, 001:878–883);
- *under 30*: age in whole years on the day the subscription is opened, from
  ``FirstContactRegistered.birth_date``;
- *active contact group*: the young person has been visitated into a group and is on benefit
  on that day (no ``BenefitEnded``).

The conditions are checked in that order; the first that fails is the recorded reason.
"""

from __future__ import annotations

from ungeforloeb.domain.exchange_values import SubscriptionRefusal

RULE_ID = "exchange.udb_subscription"
AGE_LIMIT = "udb_subscription_age_limit"
"""The parameter (in the rule data, dated) that holds the age limit."""


def refusal(*, age: int, age_limit: int, has_education_plan: bool,
            active_contact_group: bool) -> SubscriptionRefusal | None:
    """Why UDB would refuse the subscription, or ``None`` when it opens (``age_limit``: the rule
    data's parameter :data:`AGE_LIMIT` on the day)."""
    if not has_education_plan:
        return SubscriptionRefusal.NO_EDUCATION_PLAN
    if age >= age_limit:
        return SubscriptionRefusal.AGE_30_OR_OVER
    if not active_contact_group:
        return SubscriptionRefusal.NO_ACTIVE_CONTACT_GROUP
    return None
