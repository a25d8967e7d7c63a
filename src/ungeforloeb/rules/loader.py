"""The strict loader of the regime data files (``regimes/*.toml``).

Every file holds one regime: a ``[regime]`` header, the rules that start in it (``[[rules]]``),
the rules it amends from a date (``[[amends]]``: the earlier period ends there and a new period
takes the earlier one's data with the keys given replaced), and the rules it ends (``[[ends]]``).
An old file is never edited to add a regime: the newer file says what it ends, and the loader
computes the periods.

Errors are :class:`RuleDataError` and name the file and the key (``before_2020.toml:
rules[3].clock.unit: …``): unknown keys, missing keys, values of the wrong type, bad dates,
unknown event types or payload fields (checked against the domain's event catalogue), and
overlapping periods for one rule id.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import attrs

from ungeforloeb.rules.datafile import PAYLOAD, Ctx, RuleDataError, date_ref, length, match
from ungeforloeb.rules.eligibility import FACTS
from ungeforloeb.rules.kinds import KIND_KEYS, KINDS
from ungeforloeb.rules.model import (
    CLOCK_SET_BY,
    PERIOD_BY,
    SCOPES,
    SHOW_WHILE,
    STATUSES,
    AuditReference,
    Clock,
    Condition,
    Conditions,
    Parameter,
    Population,
    Presentation,
    Regime,
    Requirement,
    Rule,
    RuleSet,
    SetAside,
    Source,
    Window,
    Wording,
)

__all__ = ["RuleDataError", "default_rules", "load_directory", "load_rule_set",
           "packaged_files", "shipped_hashes", "superseded_files"]

_RULE_KEYS_REQUIRED = ("id", "kind", "description", "sources", "scope", "applies_by")
_RULE_KEYS_OPTIONAL = ("effective_from", "effective_to", "population", "clock", "satisfied_by",
                       "control_point", "audit", "reading", "period_by", "lapses_by", "worklist",
                       "right", *KIND_KEYS)
_RULE_KEYS = _RULE_KEYS_REQUIRED + _RULE_KEYS_OPTIONAL


def _sources(c: Ctx, value: Any, key: str) -> tuple[Source, ...]:
    items = c.list_of(value, key)
    if not items:
        raise c.fail(key, "must name at least one source")
    out = []
    for i, item in enumerate(items):
        k = f"{key}[{i}]"
        t = c.table(item, k, ("text", "certainty"), ("quote", "citizen"))
        quote = t.get("quote")
        citizen = t.get("citizen")
        out.append(Source(c.string(t["text"], f"{k}.text"),
                          c.string(t["certainty"], f"{k}.certainty"),
                          c.string(quote, f"{k}.quote") if quote is not None else None,
                          c.string(citizen, f"{k}.citizen") if citizen is not None else None))
    return tuple(out)


def _clock(c: Ctx, value: Any, key: str) -> Clock:
    t = c.table(value, key, ("start",), ("length", "unit", "base", "set_by"))
    if ("length" in t) != ("unit" in t):
        raise c.fail(f"{key}.{'unit' if 'length' in t else 'length'}",
                     "a clock with a length must name its unit (and the other way round)")
    set_by = c.choice(t.get("set_by", "law"), f"{key}.set_by", CLOCK_SET_BY)
    if set_by != "law" and "length" not in t:
        raise c.fail(f"{key}.set_by", f"{set_by!r} names who set the clock's length, but the "
                                      f"clock has none")
    return Clock(
        date_ref(c, t["start"], f"{key}.start"),
        c.integer(t["length"], f"{key}.length") if "length" in t else None,
        c.unit(t["unit"], f"{key}.unit") if "unit" in t else None,
        date_ref(c, t["base"], f"{key}.base") if "base" in t else None,
        set_by,
    )


def _flag(c: Ctx, value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise c.fail(key, f"must be true or false, got {value!r}")
    return value


def _presentation(c: Ctx, value: Any, key: str) -> Presentation:
    t = c.table(value, key, (), ("item", "show_from_days", "show_while", "show_missed"))
    missed = t.get("show_missed", True)
    if not isinstance(missed, bool):
        raise c.fail(f"{key}.show_missed", f"must be true or false, got {missed!r}")
    return Presentation(
        item=c.string(t.get("item", "rule"), f"{key}.item"),
        show_from_days=(c.integer(t["show_from_days"], f"{key}.show_from_days")
                        if "show_from_days" in t else None),
        show_while=(c.choice(t["show_while"], f"{key}.show_while", SHOW_WHILE)
                    if "show_while" in t else None),
        show_missed=missed,
    )


def _population(c: Ctx, value: Any, key: str) -> Population:
    t = c.table(value, key, (), ("groups", "age", "requires", "requires_any", "excluded_if",
                                 "within", "min_case_length", "after_status",
                                 "youth_effort"))
    youth_effort = t.get("youth_effort", False)
    if not isinstance(youth_effort, bool):
        raise c.fail(f"{key}.youth_effort", f"must be true or false, got {youth_effort!r}")
    age = None
    if "age" in t:
        band = c.list_of(t["age"], f"{key}.age")
        if len(band) != 2:
            raise c.fail(f"{key}.age", "must be [lowest, highest]")
        age = (c.integer(band[0], f"{key}.age[0]"), c.integer(band[1], f"{key}.age[1]"))
    requires = []
    for i, item in enumerate(c.list_of(t.get("requires", []), f"{key}.requires")):
        k = f"{key}.requires[{i}]"
        r = c.table(item, k, ("event",), ("where_any", "missing"))
        event = c.event(r["event"], f"{k}.event")
        where_any = tuple(c.where(w, f"{k}.where_any[{j}]", event)
                          for j, w in enumerate(c.list_of(r.get("where_any", []),
                                                          f"{k}.where_any")))
        requires.append(Requirement(event, where_any,
                                    c.choice(r.get("missing", "not_documented"), f"{k}.missing",
                                             ("not_documented", "not_applicable"))))
    requires_any = tuple(match(c, m, f"{key}.requires_any[{i}]")
                         for i, m in enumerate(c.list_of(t.get("requires_any", []),
                                                         f"{key}.requires_any")))
    if "requires_any" in t and len(requires_any) < 2:
        raise c.fail(f"{key}.requires_any", "must list at least two alternatives (one is "
                                            "'requires')")
    excluded = tuple(match(c, m, f"{key}.excluded_if[{i}]")
                     for i, m in enumerate(c.list_of(t.get("excluded_if", []),
                                                     f"{key}.excluded_if")))
    within = None
    if "within" in t:
        k = f"{key}.within"
        w = c.table(t["within"], k, ("anchor", "length", "unit", "subject"))
        within = Window(date_ref(c, w["anchor"], f"{k}.anchor"),
                        c.integer(w["length"], f"{k}.length", 1), c.unit(w["unit"], f"{k}.unit"),
                        date_ref(c, w["subject"], f"{k}.subject"))
    after = None
    if "after_status" in t:
        k = f"{key}.after_status"
        a = c.table(t["after_status"], k, ("rule", "status"))
        statuses = tuple(c.choice(s, f"{k}.status[{i}]", STATUSES)
                         for i, s in enumerate(c.list_of(a["status"], f"{k}.status")))
        after = (c.string(a["rule"], f"{k}.rule"), statuses)
    return Population(
        groups=c.groups(t["groups"], f"{key}.groups") if "groups" in t else (),
        age=age,
        requires=tuple(requires),
        requires_any=requires_any,
        excluded_if=excluded,
        within=within,
        min_case_length=(length(c, t["min_case_length"], f"{key}.min_case_length")
                         if "min_case_length" in t else None),
        after_status=after,
        youth_effort=youth_effort,
    )


def _rule(c: Ctx, t: Mapping[str, Any], key: str, regime: Regime, effective_from: date) -> Rule:
    kind = c.choice(t["kind"], f"{key}.kind", KINDS)
    unit = KINDS[kind]
    foreign = sorted(k for k in t if k in KIND_KEYS and k not in unit.keys)
    if foreign:
        raise c.fail(f"{key}.{foreign[0]}", f"not a key of kind {kind} (its keys: "
                                            f"{', '.join(unit.keys) or 'none'})")
    clock = _clock(c, t["clock"], f"{key}.clock") if "clock" in t else None
    satisfied = tuple(match(c, m, f"{key}.satisfied_by[{i}]")
                      for i, m in enumerate(c.list_of(t.get("satisfied_by", []),
                                                      f"{key}.satisfied_by")))
    audit = None
    if "audit" in t:
        a = c.table(t["audit"], f"{key}.audit", ("lines",), ("share", "n", "note", "population"))
        share = a.get("share")
        if share is None and "note" not in a:
            raise c.fail(f"{key}.audit.share", "missing (an audit reference needs a share or a "
                                               "note)")
        if share is not None and (not isinstance(share, float | int) or isinstance(share, bool)
                                  or not 0 <= share <= 1):
            raise c.fail(f"{key}.audit.share", f"must be a share between 0 and 1, got {share!r}")
        audit = AuditReference(
            float(share) if share is not None else None,
            c.integer(a["n"], f"{key}.audit.n", 1) if "n" in a else None,
            c.string(a["lines"], f"{key}.audit.lines"),
            c.string(a["note"], f"{key}.audit.note") if "note" in a else None,
            (_population(c, a["population"], f"{key}.audit.population")
             if "population" in a else None))
    rule = Rule(
        id=c.string(t["id"], f"{key}.id"),
        kind=kind,
        description=c.string(t["description"], f"{key}.description"),
        sources=_sources(c, t["sources"], f"{key}.sources"),
        effective_from=effective_from,
        effective_to=None,
        regime=regime.id,
        scope=c.choice(t["scope"], f"{key}.scope", SCOPES),
        applies_by=date_ref(c, t["applies_by"], f"{key}.applies_by"),
        population=_population(c, t.get("population", {}), f"{key}.population"),
        clock=clock,
        satisfied_by=satisfied,
        control_point=(c.string(str(t["control_point"]), f"{key}.control_point")
                       if "control_point" in t else None),
        audit=audit,
        reading=c.string(t["reading"], f"{key}.reading") if "reading" in t else None,
        spec=unit.parse(c, t, key),
        period_by=c.choice(t.get("period_by", "applies_by"), f"{key}.period_by", PERIOD_BY),
        lapses_by=tuple(match(c, m, f"{key}.lapses_by[{i}]")
                        for i, m in enumerate(c.list_of(t.get("lapses_by", []),
                                                        f"{key}.lapses_by"))),
        worklist=(_presentation(c, t["worklist"], f"{key}.worklist") if "worklist" in t
                  else Presentation()),
        right=_flag(c, t.get("right", False), f"{key}.right"),
    )
    unit.check(c, rule, key)
    if rule.period_by == "clock_start" and rule.clock is None:
        raise c.fail(f"{key}.period_by", "clock_start needs a clock")
    return rule


def _regime(c: Ctx, data: Mapping[str, Any], digest: str) -> Regime:
    t = c.table(data.get("regime"), "regime", ("id", "name", "effective_from", "law",
                                                "certainty"), ("notes",))
    notes = t.get("notes")
    return Regime(
        id=c.string(t["id"], "regime.id"),
        name=c.string(t["name"], "regime.name"),
        effective_from=c.day(t["effective_from"], "regime.effective_from"),
        law=c.string(t["law"], "regime.law"),
        certainty=c.string(t["certainty"], "regime.certainty"),
        file=c.file,
        sha256=digest,
        notes=c.string(notes, "regime.notes") if notes is not None else None,
    )


def _parse(name: str, raw: bytes) -> tuple[Regime, Mapping[str, Any]]:
    c = Ctx(name)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleDataError(f"{name}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"regime", "rules", "amends", "ends", "parameters",
                                  "set_aside", "conditions", "wording"})
    if unknown:
        raise c.fail(unknown[0], "unknown key (allowed: regime, rules, amends, ends, "
                                 "parameters, set_aside, conditions, wording)")
    if "regime" not in data:
        raise c.fail("regime", "missing")
    return _regime(c, data, hashlib.sha256(raw).hexdigest()), data


def load_rule_set(files: Iterable[tuple[str, bytes]]) -> RuleSet:
    """Build the rule set from (file name, bytes) of every regime file."""
    parsed = [_parse(name, raw) for name, raw in files]
    parsed.sort(key=lambda p: p[0].effective_from)
    for (a, _), (b, _) in pairwise(parsed):
        if a.effective_from == b.effective_from:
            raise RuleDataError(f"{b.file}: regime.effective_from: {b.effective_from} is also "
                                f"the start of {a.file}")
    periods: list[tuple[Rule, Mapping[str, Any]]] = []
    """Every period with the raw table it was built from (for [[amends]])."""
    regimes: list[Regime] = []
    parameters: list[Parameter] = []
    wordings: list[Wording] = []
    set_asides: list[SetAside] = []
    conditions: list[Conditions] = []
    for regime, data in parsed:
        c = Ctx(regime.file)
        for i, item in enumerate(c.list_of(data.get("conditions", []), "conditions")):
            k = f"conditions[{i}]"
            found = _conditions(c, item, k, regime)
            for j, before in enumerate(conditions):
                if before.id == found.id and before.effective_to is None:
                    conditions[j] = attrs.evolve(before, effective_to=regime.effective_from)
            conditions.append(found)
        for i, item in enumerate(c.list_of(data.get("set_aside", []), "set_aside")):
            k = f"set_aside[{i}]"
            t = c.table(item, k, ("by", "rules", "why", "sources"))
            by = c.event(t["by"], f"{k}.by")
            if not {"starts_on", "ends_on"} <= PAYLOAD[by]:
                raise c.fail(f"{k}.by", f"{by} has no starts_on and ends_on to set rules "
                                        f"aside for a span")
            names = c.list_of(t["rules"], f"{k}.rules")
            if not names:
                raise c.fail(f"{k}.rules", "must name at least one rule")
            set_asides.append(SetAside(
                by, tuple(c.string(n, f"{k}.rules[{j}]") for j, n in enumerate(names)),
                c.string(t["why"], f"{k}.why"), _sources(c, t["sources"], f"{k}.sources"),
                regime.effective_from, regime.id))
        for i, item in enumerate(c.list_of(data.get("parameters", []), "parameters")):
            k = f"parameters[{i}]"
            t = c.table(item, k, ("id", "value", "description", "sources"))
            pid = c.string(t["id"], f"{k}.id")
            for j, old in enumerate(parameters):
                if old.id == pid and old.effective_to is None:
                    parameters[j] = attrs.evolve(old, effective_to=regime.effective_from)
            parameters.append(Parameter(pid, c.integer(t["value"], f"{k}.value"),
                                        c.string(t["description"], f"{k}.description"),
                                        _sources(c, t["sources"], f"{k}.sources"),
                                        regime.effective_from, None, regime.id))
        for i, item in enumerate(c.list_of(data.get("wording", []), "wording")):
            k = f"wording[{i}]"
            t = c.table(item, k, ("id", "value", "description", "sources"))
            wid = c.string(t["id"], f"{k}.id")
            for j, old_w in enumerate(wordings):
                if old_w.id == wid and old_w.effective_to is None:
                    wordings[j] = attrs.evolve(old_w, effective_to=regime.effective_from)
            wordings.append(Wording(wid, c.string(t["value"], f"{k}.value"),
                                    c.string(t["description"], f"{k}.description"),
                                    _sources(c, t["sources"], f"{k}.sources"),
                                    regime.effective_from, None, regime.id))
        ends: list[tuple[str, date, str]] = []
        replaced: list[tuple[str, str]] = []
        for i, item in enumerate(c.list_of(data.get("ends", []), "ends")):
            k = f"ends[{i}]"
            t = c.table(item, k, ("rule", "on", "why"), ("replaced_by",))
            if "replaced_by" in t:
                replaced.append((c.string(t["rule"], f"{k}.rule"),
                                 c.string(t["replaced_by"], f"{k}.replaced_by")))
            rule_id = c.string(t["rule"], f"{k}.rule")
            on = c.day(t["on"], f"{k}.on")
            if on < regime.effective_from:
                raise c.fail(f"{k}.on", f"{on} is before the regime starts "
                                        f"({regime.effective_from})")
            _end(c, periods, rule_id, on, f"{k}.rule")
            ends.append((rule_id, on, c.string(t["why"], f"{k}.why")))
        for i, item in enumerate(c.list_of(data.get("amends", []), "amends")):
            k = f"amends[{i}]"
            c.rule = item.get("rule") if isinstance(item, dict) and isinstance(
                item.get("rule"), str) else None
            t = c.table(item, k, ("rule", "from"),
                        tuple(x for x in _RULE_KEYS
                              if x not in ("id", "effective_from", "effective_to")))
            rule_id = c.string(t["rule"], f"{k}.rule")
            start = c.day(t["from"], f"{k}.from")
            if start < regime.effective_from:
                raise c.fail(f"{k}.from", f"{start} is before the regime starts "
                                          f"({regime.effective_from})")
            earlier = _end(c, periods, rule_id, start, f"{k}.rule")
            merged = dict(earlier) | {x: v for x, v in t.items() if x not in ("rule", "from")}
            periods.append((_rule(c, merged, k, regime, start), merged))
        for i, item in enumerate(c.list_of(data.get("rules", []), "rules")):
            k = f"rules[{i}]"
            c.rule = item.get("id") if isinstance(item, dict) and isinstance(
                item.get("id"), str) else None
            t = c.table(item, k, _RULE_KEYS_REQUIRED, _RULE_KEYS_OPTIONAL)
            start = (c.day(t["effective_from"], f"{k}.effective_from")
                     if "effective_from" in t else regime.effective_from)
            if start < regime.effective_from:
                raise c.fail(f"{k}.effective_from", f"{start} is before the regime starts "
                                                    f"({regime.effective_from})")
            rule = _rule(c, t, k, regime, start)
            if "effective_to" in t:
                # a closed period: a later regime file, written before this one, declares the
                # rule anew from that day (an older duty found later never edits the newer file)
                end = c.day(t["effective_to"], f"{k}.effective_to")
                if end <= start:
                    raise c.fail(f"{k}.effective_to", f"{end} is not after the period's start "
                                                      f"({start})")
                rule = attrs.evolve(rule, effective_to=end)
            for p, _ in periods:
                if p.id == rule.id and (p.effective_to is None or p.effective_to > start):
                    raise c.fail(f"{k}.id", f"rule {rule.id!r} overlaps its period "
                                            f"{p.period_text()} from {p.regime}; end it first "
                                            f"([[ends]] or [[amends]])")
            periods.append((rule, t))
        c.rule = None
        regimes.append(attrs.evolve(regime, ends=tuple(ends), replaced=tuple(replaced))
                       if ends else regime)
    rules = tuple(p for p, _ in periods)
    ids = {p.id for p in rules}
    for reg in regimes:
        for i, (_, new) in enumerate(reg.replaced):
            if new not in ids:
                raise RuleDataError(f"{reg.file}: ends: replaced_by: unknown rule {new!r} "
                                    f"(replacement #{i + 1})")
    for p in rules:
        if p.population.after_status and p.population.after_status[0] not in ids:
            raise RuleDataError(f"{p.regime}: rule {p.id}: population.after_status.rule: "
                                f"unknown rule {p.population.after_status[0]!r}")
    for sa in set_asides:
        for name in sa.rules:
            if name not in ids:
                raise RuleDataError(f"{sa.regime}: set_aside ({sa.by}): unknown rule {name!r}")
    return RuleSet(tuple(regimes), rules, tuple(parameters), tuple(set_asides),
                   tuple(conditions), tuple(wordings))


def _conditions(c: Ctx, item: Any, k: str, regime: Regime) -> Conditions:
    """One ``[[conditions]]`` table: its facts must be in the vocabulary
    (:data:`ungeforloeb.rules.eligibility.FACTS`), with a ``value`` exactly when the fact takes
    one; a later regime declaring the same id starts a new period."""
    t = c.table(item, k, ("id", "description", "requires", "sources"))
    cid = c.string(t["id"], f"{k}.id")
    requires = []
    listed = c.list_of(t["requires"], f"{k}.requires")
    if not listed:
        raise c.fail(f"{k}.requires", "must list at least one condition")
    for j, cond in enumerate(listed):
        kk = f"{k}.requires[{j}]"
        ct = c.table(cond, kk, ("fact", "refusal"), ("value",))
        fact = c.string(ct["fact"], f"{kk}.fact")
        if fact not in FACTS:
            raise c.fail(f"{kk}.fact", f"unknown fact {fact!r} (known: {', '.join(FACTS)})")
        takes_value, _ = FACTS[fact]
        if takes_value != ("value" in ct):
            raise c.fail(f"{kk}.value", f"fact {fact!r} "
                                        f"{'needs' if takes_value else 'takes no'} value")
        value = c.integer(ct["value"], f"{kk}.value") if "value" in ct else None
        requires.append(Condition(fact, c.string(ct["refusal"], f"{kk}.refusal"), value))
    return Conditions(cid, c.string(t["description"], f"{k}.description"), tuple(requires),
                      _sources(c, t["sources"], f"{k}.sources"), regime.effective_from, None,
                      regime.id)


def _end(c: Ctx, periods: list[tuple[Rule, Mapping[str, Any]]], rule_id: str, on: date,
         key: str) -> Mapping[str, Any]:
    """End the open period of ``rule_id`` on ``on`` (in place); return its raw table."""
    for i, (p, raw) in enumerate(periods):
        if p.id == rule_id and p.effective_to is None:
            if on <= p.effective_from:
                raise c.fail(key, f"cannot end rule {rule_id!r} on {on}: its period starts "
                                  f"{p.effective_from} ({p.regime})")
            periods[i] = (attrs.evolve(p, effective_to=on), raw)
            return raw
    if any(p.id == rule_id for p, _ in periods):
        raise c.fail(key, f"rule {rule_id!r} has no open period to end")
    raise c.fail(key, f"unknown rule {rule_id!r}")


def load_directory(path: str | Path) -> RuleSet:
    """Load every ``*.toml`` of a directory as a regime file."""
    folder = Path(path)
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleDataError(f"{folder}: no regime files (*.toml)")
    return load_rule_set((f.name, f.read_bytes()) for f in files)


def packaged_files() -> list[tuple[str, bytes]]:
    """The packaged regime files, (name, bytes), by name."""
    folder = resources.files("ungeforloeb.rules") / "regimes"
    out = [(entry.name, entry.read_bytes()) for entry in folder.iterdir()
           if entry.name.endswith(".toml")]
    out.sort()
    return out


def superseded_files() -> list[tuple[str, bytes]]:
    """Every earlier version of the packaged regime files, (name, bytes), as shipped by earlier
    versions of this library (``regimes/superseded/<name>.<sha256[:16]>.toml``): a log judged
    by one of them can still be packed and re-judged by its own bytes. Never loaded as law."""
    folder = resources.files("ungeforloeb.rules") / "regimes" / "superseded"
    out = [(entry.name.split(".", 1)[0] + ".toml", entry.read_bytes())
           for entry in folder.iterdir() if entry.name.endswith(".toml")]
    out.sort()
    return out


def shipped_hashes() -> dict[str, frozenset[str]]:
    """Per regime file name, the SHA-256 of every version of it this library has shipped
    (``regimes/superseded/shipped.txt``)."""
    text = (resources.files("ungeforloeb.rules") / "regimes" / "superseded" / "shipped.txt"
            ).read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, digest = line.split()
            found.setdefault(name, set()).add(digest)
    return {name: frozenset(d) for name, d in found.items()}


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The rule set from the packaged regime files (loaded once)."""
    return load_rule_set(packaged_files())
