"""The rules: calendar, the rule model, the regime data and its strict loader, the evaluator.

Rules are data (``regimes/*.toml``, one file per regime) with effective periods and legal
sources; the functions over them are pure. A new regime is a new data file, never an edit of an
old one.
"""

from ungeforloeb.rules.calendar import Calendar, Calendars, Unit
from ungeforloeb.rules.evaluate import evaluate
from ungeforloeb.rules.loader import RuleDataError, default_rules, load_directory, load_rule_set
from ungeforloeb.rules.model import Rule, RuleSet
from ungeforloeb.rules.verdict import EventRef, Status, Verdict

__all__ = [
    "Calendar",
    "Calendars",
    "EventRef",
    "Rule",
    "RuleDataError",
    "RuleSet",
    "Status",
    "Unit",
    "Verdict",
    "default_rules",
    "evaluate",
    "load_directory",
    "load_rule_set",
]
