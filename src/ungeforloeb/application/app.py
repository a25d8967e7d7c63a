"""The application service: one method per command, thin (get, call, save).

Persistence is eventsourcing's: by default SQLite in a file (``PERSISTENCE_MODULE=
eventsourcing.sqlite``, ``SQLITE_DBNAME``); PostgreSQL when the environment says
``PERSISTENCE_MODULE=eventsourcing.postgres`` with the ``POSTGRES_*`` variables; in memory with
``eventsourcing.popo``. No global state: two applications on two files never see each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ungeforloeb.application.clock import Clock, system_clock
from ungeforloeb.application.exchange_commands import (
    UDB,
    Dispatch,
    ExchangePolicy,
    Received,
)
from ungeforloeb.application.identity import (
    CprAlreadyRegisteredError,
    IdentityRecord,
    IdentityStore,
    MemoryIdentityStore,
    PersonalRows,
    SQLIdentityStore,
    check_cpr,
    seal_identity,
)
from ungeforloeb.application.keys import Keys, KeyWrapper, master_key, new_data_key
from ungeforloeb.application.mapper import OrjsonMapper
from ungeforloeb.application.personal import Kept, dates_in, generalised_birth_dates
from ungeforloeb.application.recorders import (
    PersonalPostgresRecorder,
    PersonalSQLiteRecorder,
    personal_recorder,
)
from ungeforloeb.application.store_index import (
    owner_function,
    person_streams,
)
from ungeforloeb.casefile.decode import record_from_state
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord, group_by_case
from ungeforloeb.domain.base import check_date, check_not_before, check_uuid
from ungeforloeb.domain.education_order import EducationOrder
from ungeforloeb.domain.errors import (
    EventOutOfOrderError,
    InvalidCommandError,
    PersonalDataErasedError,
    UnknownCaseError,
)
from ungeforloeb.domain.exchange_values import FurtherInformationChannel
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.values import (
    BenefitEndReason,
    ContactChannel,
    ContactKind,
    DeadlineMoveReason,
    GuidanceTopic,
    InterruptionReason,
    LiteracyTestNeed,
    MentorPurpose,
    OfferKind,
    OrderEndReason,
    OrderStep,
    RetentionInitiative,
    RetentionOutcome,
    VisitationGroup,
    VisitationStage,
    YouthActivity,
)
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb.exchange.messages import Contact, InboundMessage
from ungeforloeb.exchange.routing import Routing
from ungeforloeb.rules.loader import default_rules

A = TypeVar("A", bound=Aggregate)

DEFAULT_DB = "ungeforloeb.sqlite"
PAGE = 2000


class Ungeforloeb(Application[UUID]):
    """The municipality's case application: commands in, events stored, records out.

    Every command checks its input and the case first and records nothing when it refuses:
    :class:`~ungeforloeb.domain.errors.UnknownCaseError` for an unknown id,
    :class:`~ungeforloeb.domain.errors.InvalidCommandError` for a field of the wrong kind or
    value (naming the command and the field, never echoing a CPR number or a name),
    :class:`~ungeforloeb.domain.errors.EventOutOfOrderError` when the case cannot take the
    fact yet or any more (dated before what it depends on, after benefit ended, after the
    personal data was erased: ``PersonalDataErasedError``). Each command's docstring names the
    event it records and the rules of the rule data that read it."""

    name = "ungeforloeb"

    def __init__(self, db: str | Path | None = None, *, clock: Clock = system_clock,
                 env: Mapping[str, str] | None = None,
                 identities: IdentityStore | None = None,
                 key_wrapper: KeyWrapper | None = None) -> None:
        merged: dict[str, str] = {}
        configured = dict(os.environ)
        if env:
            configured.update(env)
        module = configured.get("PERSISTENCE_MODULE", "")
        if not module or module == "eventsourcing.sqlite":
            merged["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
            path = str(db) if db is not None else configured.get("SQLITE_DBNAME", DEFAULT_DB)
            merged["SQLITE_DBNAME"] = path
        if env:
            merged.update({k: v for k, v in env.items() if k not in merged})
        if (configured.get("CIPHER_KEY") or configured.get("UNGEFORLOEB_CIPHER_KEY")) and not (
                configured.get("CIPHER_TOPIC") or configured.get("UNGEFORLOEB_CIPHER_TOPIC")):
            # payloads encrypted at rest: eventsourcing's AES-GCM on `cryptography`
            merged["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        self.clock = clock
        self._batch: dict[UUID, Aggregate] | None = None
        self._batch_rows: list[PersonalRows] = []
        self._key_wrapper = key_wrapper
        super().__init__(merged)
        self.personal_data: IdentityStore = self._identity_store()
        """Data keys (and, unless ``identities`` is given, identity records) beside the events.
        """
        self.identities: IdentityStore = identities or self.personal_data
        assert isinstance(self.mapper, OrjsonMapper)
        self.mapper.personal = self.personal_data
        self.exchange = ExchangePolicy(_Cases(self))
        """The exchange policy (institution reports applied to cases, notices sent); its
        commands are also the application's, under the same names."""
        from ungeforloeb.application.migration import Migrated, migrate_plain_identities

        self.migrated: Migrated | None = migrate_plain_identities(self)
        """What opening migrated of an older store's plain identity records (None: nothing)."""

    def _identity_store(self) -> IdentityStore:
        """Identity records and data keys beside the events (in memory for popo)."""
        recorder = self.recorder
        db = str(self.env.get("SQLITE_DBNAME") or "")
        if isinstance(recorder, PersonalSQLiteRecorder):
            in_memory = db == ":memory:" or "mode=memory" in db
            keys = Keys(master_key(self.env.get, sqlite_file=None if in_memory else db,
                                   in_memory=in_memory), self._key_wrapper)
        elif isinstance(recorder, PersonalPostgresRecorder):
            keys = Keys(master_key(self.env.get, sqlite_file=None, in_memory=False,
                                   stored=recorder.stored_master_key), self._key_wrapper)
        else:
            return MemoryIdentityStore(Keys(master_key(self.env.get, sqlite_file=None,
                                                       in_memory=True), self._key_wrapper))
        return SQLIdentityStore(keys, lambda commit: recorder.datastore.transaction(
                                    commit=commit), recorder.key_table, recorder.identity_table,
                                recorder.placeholder)

    def settings_elsewhere(self) -> dict[str, str] | None:
        """The settings with which another process (a worker of the kept projection's cold
        start) opens this same store, without making its tables, or ``None`` when it does not: a
        store other than a SQLite file, or a key wrapper given in code."""
        if self._key_wrapper is not None:
            return None
        env = dict(self.env)
        # its tables exist (this process made them): several workers opening the store at once
        # must not make them again (PostgreSQL: "tuple concurrently updated")
        env["CREATE_TABLE"] = env[f"{self.name.upper()}_CREATE_TABLE"] = "no"
        if isinstance(self.recorder, PersonalSQLiteRecorder):
            db = env.get("SQLITE_DBNAME", "")
            return None if db == ":memory:" or "mode=memory" in db else env
        # PostgreSQL: not yet. Its planner, on tables just loaded and not yet analysed, reads
        # one case by a parallel scan of the events (50 ms a case in the bench's
        # kept_catch_up_pg, 1 December), so workers reading case by case were slower than
        # this process reading the log once
        return None

    def construct_mapper(self) -> Mapper[UUID]:
        """eventsourcing's hook: the mapper that stores events as orjson (cipher and
        compressor as configured) and seals personal fields with the person's key."""
        return OrjsonMapper(transcoder=self.factory.transcoder(),
                            cipher=self.factory.cipher(),
                            compressor=self.factory.compressor())

    def construct_recorder(self) -> ApplicationRecorder:
        """eventsourcing's recorder for the configured store, keeping the person → streams
        index in the events' transaction (:mod:`ungeforloeb.application.store_index`)."""
        mapper = self.mapper
        assert isinstance(mapper, OrjsonMapper)
        recorder: ApplicationRecorder = personal_recorder(self.factory,
                                                          owner_function(mapper.decode_state))
        return recorder

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Save every command inside the block in one transaction, at the end of the block.

        For migrations and bulk loads: aggregates touched in the block are kept in memory and
        saved together, all or nothing. If the block raises, nothing of it is written.
        """
        if self._batch is not None:
            raise RuntimeError("batch() blocks do not nest")
        self._batch = {}
        try:
            yield
            pending = list(self._batch.values())
        except BaseException:
            for r in self._batch_rows:
                self.personal_data.forget(r.young_person_id)
            self._batch_rows = []
            raise
        finally:
            self._batch = None
        rows, self._batch_rows = self._batch_rows, []
        if pending:
            try:
                self._save_personal(pending, rows)
            except (IntegrityError, CprAlreadyRegisteredError):
                raise InvalidCommandError(
                    "batch", "cpr", "CPR numbers and ids not registered before or twice",
                    "<redacted>") from None

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save aggregates now, or at the end of the open :meth:`batch` block."""
        if self._batch is not None and not kwargs:
            for obj in objs:
                if isinstance(obj, Aggregate):
                    self._batch[obj.id] = obj
            return []
        pending = [e for o in objs for e in getattr(o, "pending_events", ())]
        new_keys = self.data_keys_for(pending)
        if new_keys and "personal_rows" not in kwargs:
            return self._save_personal(list(objs), new_keys)
        if not kwargs and objs and all(isinstance(obj, Aggregate) for obj in objs):
            return self._save_aggregates(objs)
        return super().save(*objs, **kwargs)

    def _save_aggregates(self, aggregates: Sequence[Aggregate], **kwargs: Any) -> Any:
        """``Application.save`` of aggregates, without its ``collect_events`` checks of every
        object against runtime-checkable protocols (about 70 µs an aggregate on Python 3.11, a
        fifth of the batched command path; see docs/performance.md): the same events recorded,
        cached, snapshotted and notified, in the same order, by eventsourcing's own steps."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.saved_kwargs.update(kwargs)  # e.g. the personal rows (recorders)
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # as Application.save does (deprecated hook)
        return recordings

    def data_keys_for(self, events: Any) -> list[PersonalRows]:
        """A new data key (held until written) for each person whose first event is among
        ``events`` and who has none yet; the rows to write with those events."""
        rows = []
        for event in events:
            if isinstance(event, (YoungPerson.FirstContactRegistered,
                                  YoungPerson.YouthEffortFollowed)) and \
                    self.personal_data.data_key(event.originator_id) is None:
                data_key = new_data_key()
                self.personal_data.remember(event.originator_id, data_key)
                rows.append(PersonalRows(event.originator_id, self.personal_data.keys.wrapper.wrap(
                    event.originator_id, data_key)))
        return rows

    def _get(self, cls: type[A], kind: str, case_id: object, command: str) -> A:
        if not isinstance(case_id, UUID):
            raise InvalidCommandError(command, f"{kind.replace(' ', '_')}_id", "a uuid.UUID",
                                      case_id)
        if self._batch is not None and case_id in self._batch:
            held = self._batch[case_id]
            if not isinstance(held, cls):
                raise UnknownCaseError(kind, case_id, command)
            return held
        try:
            aggregate: Any = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise UnknownCaseError(kind, case_id, command) from None
        if not isinstance(aggregate, cls):
            raise UnknownCaseError(kind, case_id, command)
        return aggregate

    def _person(self, young_person_id: UUID, command: str) -> YoungPerson:
        return self._get(YoungPerson, "young person", young_person_id, command)

    _READS = frozenset({"orders_of", "retention_cases_of", "notification_due"})
    """Look-ups by ``_order``/``_retention`` that record nothing (allowed after erasure)."""

    def _order(self, order_id: UUID, command: str) -> EducationOrder:
        order = self._get(EducationOrder, "order", order_id, command)
        if command not in self._READS:
            self._refuse_if_erased(command, "order", order.id, order.young_person_id)
        return order

    def _retention(self, case_id: UUID, command: str) -> RetentionCase:
        case = self._get(RetentionCase, "retention case", case_id, command)
        if command not in self._READS:
            self._refuse_if_erased(command, "retention case", case.id, case.young_person_id)
        return case

    def _refuse_if_erased(self, command: str, kind: str, case_id: UUID,
                          young_person_id: UUID) -> None:
        """Refuse a command on an order or retention case of a person whose personal data was
        erased (their key store keeps what erasure kept; another process's erasure is seen
        within :data:`~ungeforloeb.application.identity.CACHE_SECONDS`)."""
        if self.personal_data.kept(young_person_id) is None:
            return
        erased_on: date | None = None
        with suppress(AggregateNotFoundError):
            erased_on = self.repository.get(young_person_id).erased_on
        raise PersonalDataErasedError(command, kind, case_id, young_person_id, erased_on)

    def _events_of(self, aggregate: Aggregate) -> list[Any]:
        """Stored and not yet saved events of one aggregate, in order."""
        stored = list(self.repository.event_store.get(aggregate.id))
        known = {e.originator_version for e in stored}
        pending = [e for e in getattr(aggregate, "_pending_events", [])
                   if e.originator_version not in known]
        return stored + pending

    def _streams_of(self, young_person_id: UUID) -> list[UUID]:
        """The young person's order and retention-case ids: the store's index, and those held
        unsaved in an open batch."""
        streams = [s for s in person_streams(self.recorder).streams_of(young_person_id)
                   if s != young_person_id]
        for held in (self._batch or {}).values():
            if isinstance(held, EducationOrder | RetentionCase) and \
                    held.young_person_id == young_person_id and held.id not in streams:
                streams.append(held.id)
        return streams

    # ------------------------------------------------------- young person commands

    def register_first_contact(self, *, occurred_on: date, recorded_by: str,
                               municipality_code: str, birth_date: date,
                               cpr: str | None = None, name: str | None = None,
                               young_person_id: UUID | None = None) -> UUID:
        """Open a case at first contact. CPR and name go to the identity record only, sealed
        with the person's new data key; key, identity and event are written in one
        transaction (all or nothing)."""
        command = "register_first_contact"
        if young_person_id is not None:
            check_uuid(command, "young_person_id", young_person_id)
        person = YoungPerson.register_first_contact(
            occurred_on=occurred_on, recorded_by=recorded_by, recorded_at=self.clock(),
            municipality_code=municipality_code, birth_date=birth_date,
            young_person_id=young_person_id)
        return self._open_person(command, person, cpr, name,
                                 supplied=young_person_id is not None)

    def follow_in_youth_effort(self, *, occurred_on: date, recorded_by: str,
                               municipality_code: str, birth_date: date,
                               cpr: str | None = None, name: str | None = None,
                               young_person_id: UUID | None = None) -> UUID:
        """Record a young person the municipal youth effort (KUI) follows without a benefit
        case (``YouthEffortFollowed``): no first contact, no benefit spell, so the benefit
        duties do not apply; the youth effort's do (on ``note_interruption`` and
        ``report_risk_of_dropout``). CPR and name go to the identity record only, as at a first
        contact; if the young person later comes to benefit, ``return_to_benefit`` opens their
        first benefit spell on the same person."""
        command = "follow_in_youth_effort"
        if young_person_id is not None:
            check_uuid(command, "young_person_id", young_person_id)
        person = YoungPerson.follow_in_youth_effort(
            occurred_on=occurred_on, recorded_by=recorded_by, recorded_at=self.clock(),
            municipality_code=municipality_code, birth_date=birth_date,
            young_person_id=young_person_id)
        return self._open_person(command, person, cpr, name,
                                 supplied=young_person_id is not None)

    def _open_person(self, command: str, person: YoungPerson, cpr: str | None,
                     name: str | None, *, supplied: bool) -> UUID:
        """Save a new young person with their data key and (with ``cpr``) identity record, in
        one transaction. ``supplied``: the caller chose the id (it may be taken; a new random
        one is not, so the key table is not asked)."""
        keys = self.personal_data.keys
        data_key = new_data_key()
        rows = PersonalRows(person.id, keys.wrapper.wrap(person.id, data_key))
        apart: PersonalRows | None = None  # the identity, when kept in a store of its own
        normalised: str | None = None
        if cpr is not None:
            normalised = check_cpr(command, cpr)
            if not isinstance(name, str) or not name.strip():
                raise InvalidCommandError(command, "name", "a non-empty name with the CPR",
                                          "<redacted>")
            if self.identities.find_by_cpr(normalised) is not None:
                raise CprAlreadyRegisteredError()
            record = IdentityRecord(person.id, normalised, name)
            if self.identities is self.personal_data:
                rows.cpr_lookup = keys.cpr_lookup(normalised)
                rows.sealed_identity = seal_identity(data_key, record)
            else:
                own = self.identities.keys
                identity_key = new_data_key()
                apart = PersonalRows(person.id, own.wrapper.wrap(person.id, identity_key),
                                     own.cpr_lookup(normalised),
                                     seal_identity(identity_key, record))
        if not supplied or self.personal_data.data_key(person.id) is None:
            self.personal_data.remember(person.id, data_key)  # else the id is taken: refused
            # below
        if self._batch is not None:
            if apart is not None:
                raise RuntimeError("batch() needs the identity store beside the events")
            self._batch[person.id] = person
            self._batch_rows.append(rows)
            return person.id
        try:
            if apart is not None:
                self.identities.write(apart)
            try:
                self._save_personal([person], [rows])
            except BaseException:
                if apart is not None:
                    getattr(self.identities, "discard", self.identities.erase)(person.id)
                raise
        except (IntegrityError, CprAlreadyRegisteredError):
            # Two registrations of one CPR number raced (or the id is taken): the database's
            # message names the key's value; never pass it on.
            if normalised is not None and self.identities.find_by_cpr(normalised) is not None:
                raise CprAlreadyRegisteredError() from None
            raise  # the young person's id is taken (a conflict on the event's key)
        return person.id

    def _save_personal(self, aggregates: list[Any], rows: list[PersonalRows]) -> Any:
        """Save aggregates with the personal rows they need, in one transaction where the
        identity store lives beside the events (else rows first, undone if the save fails).
        The new keys held for the write are kept as read once written, let go if not."""
        pending = [e for o in aggregates for e in getattr(o, "pending_events", ())]
        have = {r.young_person_id for r in rows}
        rows = rows + [r for r in self.data_keys_for(pending) if r.young_person_id not in have]
        try:
            if getattr(self.personal_data, "transactional", False):
                saved = self._save_aggregates(aggregates, personal_rows=rows)
            else:
                written: list[UUID] = []
                try:
                    for r in rows:
                        self.personal_data.write(r)
                        written.append(r.young_person_id)
                    saved = self._save_aggregates(aggregates)
                except BaseException:
                    for person_id in written:
                        getattr(self.personal_data, "discard", self.personal_data.erase)(
                            person_id)
                    raise
        except BaseException:
            for r in rows:
                self.personal_data.forget(r.young_person_id)
            raise
        for r in rows:
            self.personal_data.settle(r.young_person_id)
        return saved

    def write_imported(self, stored: list[StoredEvent], rows: list[PersonalRows]) -> None:
        """Write an import's stored events and the data keys they were sealed with, in one
        transaction where the keys live beside the events (all or nothing)."""
        try:
            if getattr(self.personal_data, "transactional", False):
                self.recorder.insert_events(stored, personal_rows=rows)
                for r in rows:
                    self.personal_data.forget(r.young_person_id)
                return
            for r in rows:
                self.personal_data.write(r)
            try:
                self.recorder.insert_events(stored)
            except BaseException:
                for r in rows:
                    getattr(self.personal_data, "discard", self.personal_data.erase)(
                        r.young_person_id)
                raise
        except BaseException:
            for r in rows:
                self.personal_data.forget(r.young_person_id)
            raise

    def erase_personal_data(self, young_person_id: UUID, *, occurred_on: date,
                            recorded_by: str) -> None:
        """Erase a young person's personal data by crypto-shredding, in one transaction: their
        data key and identity record are deleted and ``PersonalDataErased`` is recorded.

        The events stay and replay. The birth date reads afterwards as the earliest birth date
        giving the same age on every date of the case (kept in place of the key, and recorded
        in the event with the latest such date), so every rule, status and figure is as before.
        Nothing more is recorded about the person afterwards."""
        command = "erase_personal_data"
        if self._batch is not None:
            raise RuntimeError(f"{command} does not run inside batch()")
        person = self._person(young_person_id, command)
        if person.erased_on is not None:
            raise EventOutOfOrderError(f"{command}: the personal data of young person "
                                       f"{person.id} was erased on "
                                       f"{person.erased_on.isoformat()}")
        check_date(command, "occurred_on", occurred_on)
        days = dates_in((r.occurred_on, r.payload) for r in self.case_file(person.id).records)
        earliest, latest = generalised_birth_dates(person.birth_date, days)
        person.erase_personal_data(occurred_on=occurred_on, recorded_by=recorded_by,
                                   recorded_at=self.clock(), birth_date_earliest=earliest,
                                   birth_date_latest=latest)
        kept = Kept.for_birth_date(earliest)
        try:
            if getattr(self.personal_data, "transactional", False):
                self._save_aggregates([person], erase_people=[(person.id, kept)])
            else:
                self._save_aggregates([person])
                self.personal_data.shred(person.id, kept)
        finally:
            self.personal_data.forget(person.id)
        if self.identities is not self.personal_data:
            self.identities.erase(person.id)

    def hold_first_conversation(self, young_person_id: UUID, *, occurred_on: date,
                                recorded_by: str) -> None:
        """Record ``FirstConversationHeld`` on the young person: the first conversation with the
        young person. Read by the rules ``cp01_first_conversation``,
        ``cp02a_group_at_first_conversation``, ``cp09_order_at_first_conversation``,
        ``cp12_minimum_conversations`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "hold_first_conversation")
        person.hold_first_conversation(recorded_at=self.clock(), occurred_on=occurred_on,
                                       recorded_by=recorded_by)
        self.save(person)

    def visitate(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                 stage: VisitationStage, group: VisitationGroup, perspective_recorded: bool,
                 justification_recorded: bool) -> None:
        """Record ``Visitated`` on the young person: a preliminary or final visitation into a
        group, with whether the young person's perspective and the justification were
        recorded. Read by the rules ``cp02_final_visitation``,
        ``cp02a_group_at_first_conversation``, ``cp02b_same_group_at_final_visitation``,
        ``cp03_perspective_in_visitation``, ``cp04_justification_of_visitation``,
        ``cp11_coordinating_caseworker`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "visitate")
        person.visitate(recorded_at=self.clock(), occurred_on=occurred_on, recorded_by=recorded_by,
                        stage=stage, group=group, perspective_recorded=perspective_recorded,
                        justification_recorded=justification_recorded)
        self.save(person)

    def assess_literacy_test(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                             need: LiteracyTestNeed, earlier_test_on: date | None = None) -> None:
        """Record ``LiteracyTestAssessed`` on the young person: the assessment of the need for a
        reading, writing and maths (FVU) test, and any earlier valid test. Read by the
        rules ``cp05_literacy_need_assessed``, ``cp06_literacy_test_in_time``,
        ``cp07_reason_if_not_tested`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "assess_literacy_test")
        person.assess_literacy_test(recorded_at=self.clock(), occurred_on=occurred_on,
                                    recorded_by=recorded_by, need=need,
                                    earlier_test_on=earlier_test_on)
        self.save(person)

    def take_literacy_test(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                           shows_need: bool) -> None:
        """Record ``LiteracyTestTaken`` on the young person: a reading, writing and maths (FVU)
        test taken, and whether it shows a need. Read by the rules
        ``cp06_literacy_test_in_time``, ``cp08_course_after_test`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "take_literacy_test")
        person.take_literacy_test(recorded_at=self.clock(), occurred_on=occurred_on,
                                  recorded_by=recorded_by, shows_need=shows_need)
        self.save(person)

    def give_rights_guidance(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                             topic: GuidanceTopic) -> None:
        """Record ``RightsGuidanceGiven`` on the young person: guidance given on a topic (e.g. the
        225-hour rule). Read by the rules ``cp10_guidance_225_hours`` (their legal
        sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "give_rights_guidance")
        person.give_rights_guidance(recorded_at=self.clock(), occurred_on=occurred_on,
                                    recorded_by=recorded_by, topic=topic)
        self.save(person)

    def offer_coordinating_caseworker(self, young_person_id: UUID, *, occurred_on: date,
                                      recorded_by: str) -> None:
        """Record ``CoordinatingCaseworkerOffered`` on the young person: that a coordinating
        caseworker was offered. Read by the rules ``cp11_coordinating_caseworker``
        (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "offer_coordinating_caseworker")
        person.offer_coordinating_caseworker(recorded_at=self.clock(), occurred_on=occurred_on,
                                             recorded_by=recorded_by)
        self.save(person)

    def hold_conversation(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                          follows_up_current_step: bool, education_focus: bool,
                          job_focus: bool = False) -> None:
        """Record ``ConversationHeld`` on the young person: a conversation, with whether it
        followed up on the order's current step and had an education or job focus. Read
        by the rules ``cp12_minimum_conversations``, ``cp13_follow_up_current_step``,
        ``cp14_education_focus``, ``cp15_job_focus`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "hold_conversation")
        person.hold_conversation(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by,
                                 follows_up_current_step=follows_up_current_step,
                                 education_focus=education_focus, job_focus=job_focus)
        self.save(person)

    def update_plan(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                    education_goal: bool, job_goal: bool, agreements_recorded: bool,
                    order_shown: bool) -> None:
        """Record ``PlanUpdated`` on the young person: an update of Min Plan, with its education
        goal, job goal, agreements and whether the order is shown. Read by the rules
        ``cp23_min_plan_education_goal``, ``cp24_min_plan_job_goal``,
        ``cp25_min_plan_agreements`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "update_plan")
        person.update_plan(recorded_at=self.clock(), occurred_on=occurred_on,
                           recorded_by=recorded_by, education_goal=education_goal,
                           job_goal=job_goal, agreements_recorded=agreements_recorded,
                           order_shown=order_shown)
        self.save(person)

    def start_offer(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                    offer_id: str, kind: OfferKind, individually_assessed: bool,
                    purpose_stated: bool) -> None:
        """Record ``OfferStarted`` on the young person: the start of an offer, with whether it was
        individually assessed and its purpose stated. Read by the rules
        ``cp08_course_after_test``, ``cp17_offer_individually_assessed``,
        ``cp18_offer_purpose``, ``offer_continuity``, ``offer_first_within_a_month``
        (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "start_offer")
        person.start_offer(recorded_at=self.clock(), occurred_on=occurred_on,
                           recorded_by=recorded_by, offer_id=offer_id, kind=kind,
                           individually_assessed=individually_assessed,
                           purpose_stated=purpose_stated)
        self.save(person)

    def end_offer(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                  offer_id: str) -> None:
        """Record ``OfferEnded`` on the young person: the end of an open offer. Read by the rules
        ``offer_continuity`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "end_offer")
        person.end_offer(recorded_at=self.clock(), occurred_on=occurred_on, recorded_by=recorded_by,
                         offer_id=offer_id)
        self.save(person)

    def record_absence(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                       valid_reason: bool, offer_id: str | None = None) -> None:
        """Record ``AbsenceRecorded`` on the young person: an absence from an offer, with whether a
        valid reason was documented. Read by the rules
        ``cp21_absence_reason_documented``, ``cp22_sanction_after_absence`` (their legal
        sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "record_absence")
        person.record_absence(recorded_at=self.clock(), occurred_on=occurred_on,
                              recorded_by=recorded_by, valid_reason=valid_reason, offer_id=offer_id)
        self.save(person)

    def decide_sanction(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                        imposed: bool, personal_contact_attempted: bool) -> None:
        """Record ``SanctionDecided`` on the young person: a decision on a sanction after an
        absence. Read by the rules ``cp22_sanction_after_absence`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "decide_sanction")
        person.decide_sanction(recorded_at=self.clock(), occurred_on=occurred_on,
                               recorded_by=recorded_by, imposed=imposed,
                               personal_contact_attempted=personal_contact_attempted)
        self.save(person)

    def make_cv_available(self, young_person_id: UUID, *, occurred_on: date,
                          recorded_by: str, job_goal_recorded: bool | None = None) -> None:
        """Record ``CvMadeAvailable`` on the young person: that the CV was made available to
        employers. Read by the rules ``cp28_job_goal_with_cv``, ``cp29_cv_available``
        (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "make_cv_available")
        person.make_cv_available(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, job_goal_recorded=job_goal_recorded)
        self.save(person)

    def register_job_seeker(self, young_person_id: UUID, *, occurred_on: date,
                            recorded_by: str) -> None:
        """Record ``JobSeekerRegistered`` on the young person: the registration as a job seeker.
        Read by the rules ``cp30_job_seeker_registered`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "register_job_seeker")
        person.register_job_seeker(recorded_at=self.clock(), occurred_on=occurred_on,
                                   recorded_by=recorded_by)
        self.save(person)

    def assign_caseworker(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                          caseworker_id: str, team_id: str) -> None:
        """Record ``CaseworkerAssigned`` on the young person: the caseworker (and team) of the case
        from a day; same-day assignments are ordered by id, never by recording order. No
        rule reads it today; the status, the trail and the log keep it.

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "assign_caseworker")
        person.assign_caseworker(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, caseworker_id=caseworker_id,
                                 team_id=team_id)
        self.save(person)

    def grant_mentor(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                     purpose: MentorPurpose, until: date | None = None,
                     extension: bool = False) -> None:
        """Record ``MentorGranted`` on the young person: a mentor granted, with its purpose. Read
        by the rules ``cp19_mentor_offered``, ``cp35_transition_mentor``,
        ``mentor_right_window`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "grant_mentor")
        person.grant_mentor(recorded_at=self.clock(), occurred_on=occurred_on,
                            recorded_by=recorded_by, purpose=purpose, until=until,
                            extension=extension)
        self.save(person)

    def end_benefit(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                    reason: BenefitEndReason) -> None:
        """Record ``BenefitEnded`` on the young person: the end of education benefit (of the
        current spell), with the reason. Read by the rules
        ``offer_first_within_a_month`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        person = self._person(young_person_id, "end_benefit")
        person.end_benefit(recorded_at=self.clock(), occurred_on=occurred_on,
                           recorded_by=recorded_by, reason=reason)
        self.save(person)

    def return_to_benefit(self, young_person_id: UUID | None = None, *, occurred_on: date,
                          recorded_by: str, cpr: str | None = None) -> UUID:
        """A young person comes back to benefit after their last spell ended: a new benefit
        spell starts with this first contact (``BenefitSpellStarted``) on the same person (for a
        young person followed by the youth effort only, their first benefit spell) —
        found by their CPR number through the identity store's keyed lookup, or by their id —
        never a second registration. Returns the person's id. Refused while a spell is open
        and on or before the day the last spell ended (nothing written)."""
        command = "return_to_benefit"
        if (cpr is None) == (young_person_id is None):
            raise InvalidCommandError(command, "cpr", "given, or young_person_id (one of them)",
                                      "<redacted>" if cpr is not None else None)
        if cpr is not None:
            found = self.identities.find_by_cpr(check_cpr(command, cpr))
            if found is None:
                raise InvalidCommandError(command, "cpr",
                                          "the CPR number of a registered young person "
                                          "(register_first_contact opens a new one)",
                                          "<redacted>")
            young_person_id = found
        assert young_person_id is not None
        check_uuid(command, "young_person_id", young_person_id)
        person = self._person(young_person_id, command)
        person.return_to_benefit(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by)
        self.save(person)
        return young_person_id

    def decide_job_track(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                         starts_on: date, ends_on: date | None = None) -> None:
        """Record the decision to put the young person on the job track from ``starts_on``
        (until ``ends_on``): the rules the rule data sets aside by it do not apply while it
        runs. Refused on a day no regime knows the job track."""
        person = self._decision("decide_job_track", "JobTrackDecided", young_person_id,
                                starts_on)
        person.decide_job_track(recorded_at=self.clock(), occurred_on=occurred_on,
                                recorded_by=recorded_by, starts_on=starts_on, ends_on=ends_on)
        self.save(person)

    def exempt_from_contact(self, young_person_id: UUID, *, occurred_on: date,
                            recorded_by: str, starts_on: date,
                            ends_on: date | None = None) -> None:
        """Record the decision to exempt the young person from job conversations and offers
        from ``starts_on`` (until ``ends_on``). Refused on a day no regime allows it."""
        person = self._decision("exempt_from_contact", "ContactExemptionDecided",
                                young_person_id, starts_on)
        person.exempt_from_contact(recorded_at=self.clock(), occurred_on=occurred_on,
                                   recorded_by=recorded_by, starts_on=starts_on,
                                   ends_on=ends_on)
        self.save(person)

    def _decision(self, command: str, event_type: str, young_person_id: UUID,
                  starts_on: date) -> YoungPerson:
        """The young person a decision setting duties aside is recorded on, once the rule data
        lets decisions of ``event_type`` set duties aside on ``starts_on``."""
        check_date(command, "starts_on", starts_on)
        if default_rules().set_aside_by(event_type, starts_on) is None:
            raise InvalidCommandError(command, "starts_on",
                                      f"a day on which the rule data lets {event_type} set "
                                      f"duties aside", starts_on)
        return self._person(young_person_id, command)

    # ------------------------------------------------------ education order commands

    def issue_order(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                    step: OrderStep = OrderStep.PROPOSE_WISH,
                    order_id: UUID | None = None) -> UUID:
        """Issue an education order to an existing young person; returns the order id."""
        person = self._person(young_person_id, "issue_order")
        if person.erased_on is not None:
            raise PersonalDataErasedError("issue_order", "young person", person.id, person.id,
                                          person.erased_on)
        check_date("issue_order", "occurred_on", occurred_on)
        if order_id is not None:
            check_uuid("issue_order", "order_id", order_id)
        check_not_before("issue_order", occurred_on, "FirstContactRegistered",
                         person.first_contact_on, "young person", person.id)
        if person.spell == 0:
            raise EventOutOfOrderError(
                f"issue_order: young person {person.id} is followed by the youth effort "
                "without a benefit case: an education order needs a benefit spell "
                "(return_to_benefit opens one)")
        order = EducationOrder.issue(occurred_on=occurred_on, recorded_by=recorded_by,
                                     recorded_at=self.clock(), young_person_id=young_person_id,
                                     step=step, order_id=order_id)
        self.save(order)
        return order.id

    def set_step_deadline(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                          step: OrderStep, deadline: date) -> None:
        """Record ``StepDeadlineSet`` on the order: the deadline of a step of the education order.
        No rule reads it today; the status, the trail and the log keep it.

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "set_step_deadline")
        order.set_step_deadline(recorded_at=self.clock(), occurred_on=occurred_on,
                                recorded_by=recorded_by, step=step, deadline=deadline)
        self.save(order)

    def move_step_deadline(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                           step: OrderStep, deadline: date, reason: DeadlineMoveReason) -> None:
        """Record ``StepDeadlineMoved`` on the order: a new deadline for a step, with the reason it
        moved. No rule reads it today; the status, the trail and the log keep it.

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "move_step_deadline")
        order.move_step_deadline(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, step=step, deadline=deadline,
                                 reason=reason)
        self.save(order)

    def propose_wish(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                     education_code: str) -> None:
        """Record ``EducationWishProposed`` on the order: an education wish proposed (step 1 of the
        order). Read by the rules ``order_step1_deadline`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "propose_wish")
        order.propose_wish(recorded_at=self.clock(), occurred_on=occurred_on,
                           recorded_by=recorded_by, education_code=education_code)
        self.save(order)

    def submit_application(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                           institution_id: str, education_code: str) -> None:
        """Record ``ApplicationSubmitted`` on the order: an application submitted to an institution
        (step 2). Read by the rules ``order_step1_deadline``, ``order_step2_deadline``
        (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "submit_application")
        order.submit_application(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, institution_id=institution_id,
                                 education_code=education_code)
        self.save(order)

    def admit(self, order_id: UUID, *, occurred_on: date, recorded_by: str, admission_id: str,
              institution_id: str, education_code: str, starts_on: date,
              qualifying: bool) -> None:
        """Record an admission. ``qualifying`` is required here: whether the education is
        "studie- eller erhvervskompetencegivende" (the admission duties apply only then); a
        command with anything but True or False is refused (no default: the caseworker knows,
        and a guess would decide duties). Only an institution message that lacks it records
        ``None``."""
        if not isinstance(qualifying, bool):
            raise InvalidCommandError("admit", "qualifying", "True or False (is the education "
                                      "studie- eller erhvervskompetencegivende?)", qualifying)
        order = self._order(order_id, "admit")
        order.admit(recorded_at=self.clock(), occurred_on=occurred_on, recorded_by=recorded_by,
                    admission_id=admission_id, institution_id=institution_id,
                    education_code=education_code, starts_on=starts_on, qualifying=qualifying)
        self.save(order)

    def record_admission_qualifying(self, order_id: UUID, *, occurred_on: date,
                                    recorded_by: str, admission_id: str,
                                    qualifying: bool) -> None:
        """Record ``AdmissionQualifyingRecorded`` on the order: whether an admitted education is
        "studie- eller erhvervskompetencegivende", where the admission did not say (an
        institution message that lacked the flag). The admission's duties follow the recorded
        value from that day, and the data-quality item ``exchange.dq.qualifying_unknown``
        closes. Read by the rules ``cp32_duty_to_start_assessed``, ``cp33_institution_notified``,
        ``x22_institution_notified`` (their legal sources: ``docs/rules.md``).

        Raises ``InvalidCommandError`` (naming the field and the order) for an admission the
        order does not have, ``EventOutOfOrderError`` for one whose flag is already known, or
        ``UnknownCaseError`` (see :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "record_admission_qualifying")
        order.record_admission_qualifying(recorded_at=self.clock(), occurred_on=occurred_on,
                                          recorded_by=recorded_by, admission_id=admission_id,
                                          qualifying=qualifying)
        self.save(order)

    def assess_duty_to_start(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                             admission_id: str, ordered_to_start_and_complete: bool) -> None:
        """Record ``DutyToStartAssessed`` on the order: whether the young person is ordered to
        start and complete the admitted education. Read by the rules
        ``cp32_duty_to_start_assessed``, ``cp33_institution_notified``,
        ``x22_institution_notified`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "assess_duty_to_start")
        order.assess_duty_to_start(recorded_at=self.clock(), occurred_on=occurred_on,
                                   recorded_by=recorded_by, admission_id=admission_id,
                                   ordered_to_start_and_complete=ordered_to_start_and_complete)
        self.save(order)

    def start_education(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                        admission_id: str) -> None:
        """Record the start of an admitted education, then apply any institution report that
        was waiting for it (e.g. a completion that arrived before the start was recorded)."""
        order = self._order(order_id, "start_education")
        order.start_education(recorded_at=self.clock(), occurred_on=occurred_on,
                              recorded_by=recorded_by, admission_id=admission_id)
        self.save(order)
        self.exchange.apply_pending_reports(order.young_person_id, recorded_by=UDB)

    def complete_education(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                           admission_id: str) -> None:
        """Record ``EducationCompleted`` on the order: the completion of a started education. Read
        by the rules ``x22_receipt_received`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "complete_education")
        order.complete_education(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, admission_id=admission_id)
        self.save(order)

    def interrupt_education(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                            admission_id: str, reason: InterruptionReason) -> None:
        """Record ``EducationInterrupted`` on the order: the interruption of a started education,
        with the reason. Read by the rules ``x22_receipt_received`` (their legal
        sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "interrupt_education")
        order.interrupt_education(recorded_at=self.clock(), occurred_on=occurred_on,
                                  recorded_by=recorded_by, admission_id=admission_id, reason=reason)
        self.save(order)

    def end_order(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                  reason: OrderEndReason) -> None:
        """Record ``OrderEnded`` on the order: the end of the education order, with the reason.
        Read by the rules ``order_step1_deadline``, ``order_step2_deadline``,
        ``order_step3_deadline`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "end_order")
        order.end(recorded_at=self.clock(), occurred_on=occurred_on, recorded_by=recorded_by,
                  reason=reason)
        self.save(order)

    def assess_support(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                       admission_id: str, academic_support: bool, social_support: bool,
                       needs_documented: bool, no_support_need: bool,
                       other_support_persons: bool, wants_institution_contact: bool,
                       contact_kind: ContactKind, contact_id: str) -> None:
        """Record ``SupportAssessed`` on the order: the support assessment for an admission
        (predefined options only, no free text) and the contact the institution may use.
        Read by the rules ``x22_institution_notified``, ``x22_support_assessed`` (their
        legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "assess_support")
        order.assess_support(recorded_at=self.clock(), occurred_on=occurred_on,
                             recorded_by=recorded_by, admission_id=admission_id,
                             academic_support=academic_support, social_support=social_support,
                             needs_documented=needs_documented, no_support_need=no_support_need,
                             other_support_persons=other_support_persons,
                             wants_institution_contact=wants_institution_contact,
                             contact_kind=contact_kind, contact_id=contact_id)
        self.save(order)

    def notify_institution(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                           admission_id: str, message_id: str) -> None:
        """Record ``InstitutionNotified`` on the order: that the institution was notified of an
        admission by a message (the exchange policy's send_data_til_institution builds
        and records it). Read by the rules ``cp33_institution_notified``,
        ``x22_institution_notified``, ``x22_receipt_received`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "notify_institution")
        order.notify_institution(recorded_at=self.clock(), occurred_on=occurred_on,
                                 recorded_by=recorded_by, admission_id=admission_id,
                                 message_id=message_id)
        self.save(order)

    def exchange_contact(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                         institution_id: str, contact_kind: ContactKind, contact_id: str,
                         message_id: str, received_on: date,
                         admission_id: str | None = None) -> None:
        """Record ``ContactExchanged`` on the order: the institution's contact for an admission,
        received by a message. Read by the rules ``x22_institution_contact_received``,
        ``x22_receipt_received`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "exchange_contact")
        order.exchange_contact(recorded_at=self.clock(), occurred_on=occurred_on,
                               recorded_by=recorded_by, institution_id=institution_id,
                               contact_kind=contact_kind, contact_id=contact_id,
                               message_id=message_id, received_on=received_on,
                               admission_id=admission_id)
        self.save(order)

    def receive_receipt(self, order_id: UUID, *, occurred_on: date, recorded_by: str,
                        in_reply_to: str, institution_id: str, responsible_kind: ContactKind,
                        responsible_id: str, message_id: str, received_on: date) -> None:
        """Record ``ReceiptReceived`` on the order: the institution's receipt of a notification.
        Read by the rules ``x22_receipt_received`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        order = self._order(order_id, "receive_receipt")
        order.receive_receipt(recorded_at=self.clock(), occurred_on=occurred_on,
                              recorded_by=recorded_by, in_reply_to=in_reply_to,
                              institution_id=institution_id, responsible_kind=responsible_kind,
                              responsible_id=responsible_id, message_id=message_id,
                              received_on=received_on)
        self.save(order)

    # ---------------------------------------------------------- retention commands

    def report_risk_of_dropout(self, young_person_id: UUID, *, occurred_on: date,
                               recorded_by: str, institution_id: str, report_id: str,
                               received_on: date, order_id: UUID | None = None,
                               admission_id: str | None = None,
                               case_id: UUID | None = None) -> UUID:
        """Open a retention case on a risk-of-dropout message; returns the case id.

        ``case_id`` names the new case (a migration or a seeded simulation); random if None."""
        return self._open_retention("report_risk_of_dropout", young_person_id,
                                    occurred_on=occurred_on, recorded_by=recorded_by,
                                    institution_id=institution_id, report_id=report_id,
                                    received_on=received_on, order_id=order_id,
                                    admission_id=admission_id, case_id=case_id)

    def _open_retention(self, command: str, young_person_id: UUID, *, occurred_on: date,
                        recorded_by: str, institution_id: str, report_id: str,
                        received_on: date, order_id: UUID | None, admission_id: str | None,
                        case_id: UUID | None, interruption: bool = False) -> UUID:
        person = self._person(young_person_id, command)
        if person.erased_on is not None:
            raise PersonalDataErasedError(command, "young person", person.id, person.id,
                                          person.erased_on)
        check_date(command, "occurred_on", occurred_on)
        check_not_before(command, occurred_on,
                         "FirstContactRegistered" if person.youth_effort_since is None
                         else "YouthEffortFollowed", person.first_contact_on, "young person",
                         person.id)
        if order_id is not None:
            self._order(order_id, command)
        if case_id is not None:
            check_uuid(command, "case_id", case_id)
        case = RetentionCase.open(occurred_on=occurred_on, recorded_by=recorded_by,
                                  recorded_at=self.clock(), young_person_id=young_person_id,
                                  institution_id=institution_id, report_id=report_id,
                                  received_on=received_on, order_id=order_id,
                                  admission_id=admission_id, case_id=case_id,
                                  interruption=interruption)
        self.save(case)
        return case.id

    def note_interruption(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                          institution_id: str, report_id: str, received_on: date,
                          order_id: UUID | None = None, admission_id: str | None = None,
                          case_id: UUID | None = None) -> UUID:
        """Open a case on the municipality learning (``received_on``) that the young person
        interrupted their education on ``occurred_on``; returns the case id. For a
        15–17-year-old the youth effort's contact and new-activity duties run from
        ``received_on`` (rule data); the case records the contact, the new activity and the
        close as after a risk-of-dropout message."""
        return self._open_retention("note_interruption", young_person_id,
                                    occurred_on=occurred_on, recorded_by=recorded_by,
                                    institution_id=institution_id, report_id=report_id,
                                    received_on=received_on, order_id=order_id,
                                    admission_id=admission_id, case_id=case_id,
                                    interruption=True)

    def start_new_activity(self, case_id: UUID, *, occurred_on: date, recorded_by: str,
                           activity: YouthActivity) -> None:
        """Record the new activity the young person started after an interruption."""
        case = self._retention(case_id, "start_new_activity")
        case.start_new_activity(recorded_at=self.clock(), occurred_on=occurred_on,
                                recorded_by=recorded_by, activity=activity)
        self.save(case)

    def contact_young_person(self, case_id: UUID, *, occurred_on: date, recorded_by: str,
                             channel: ContactChannel) -> None:
        """Record ``YoungPersonContacted`` on the retention case: a contact with the young person
        in a retention case, by a channel. Read by the rules ``kui_contact_15_17``,
        ``kui_contact_15_17_interruption``, ``x22_risk_reaction`` (their legal sources:
        ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        case = self._retention(case_id, "contact_young_person")
        case.contact_young_person(recorded_at=self.clock(), occurred_on=occurred_on,
                                  recorded_by=recorded_by, channel=channel)
        self.save(case)

    def decide_retention_initiative(self, case_id: UUID, *, occurred_on: date, recorded_by: str,
                                    initiative: RetentionInitiative,
                                    with_institution: bool) -> None:
        """Record ``RetentionInitiativeDecided`` on the retention case: a retention initiative
        decided, and whether together with the institution. Read by the rules
        ``x22_retention_initiative`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        case = self._retention(case_id, "decide_retention_initiative")
        case.decide_initiative(recorded_at=self.clock(), occurred_on=occurred_on,
                               recorded_by=recorded_by, initiative=initiative,
                               with_institution=with_institution)
        self.save(case)

    def close_retention_case(self, case_id: UUID, *, occurred_on: date, recorded_by: str,
                             outcome: RetentionOutcome) -> None:
        """Record ``RetentionCaseClosed`` on the retention case: the close of a retention case,
        with the outcome. Read by the rules ``kui_contact_15_17``,
        ``kui_contact_15_17_interruption``, ``x22_retention_initiative``,
        ``x22_risk_reaction`` (their legal sources: ``docs/rules.md``).

        Raises ``UnknownCaseError``, ``InvalidCommandError`` or ``EventOutOfOrderError`` (see
        :class:`Ungeforloeb`); nothing is recorded then."""
        case = self._retention(case_id, "close_retention_case")
        case.close(recorded_at=self.clock(), occurred_on=occurred_on, recorded_by=recorded_by,
                   outcome=outcome)
        self.save(case)

    # ------------------------------------------ exchange commands (the exchange policy's)

    @property
    def routing(self) -> Routing:
        """The designated recipients of the institutions' messages
        (:attr:`ExchangePolicy.routing`)."""
        return self.exchange.routing

    def designate_recipient(self, municipality_code: str, *, kind: ContactKind,
                            recipient_id: str) -> None:
        """:meth:`ExchangePolicy.designate_recipient`."""
        self.exchange.designate_recipient(municipality_code, kind=kind,
                                          recipient_id=recipient_id)

    def use_routing(self, routing: Routing) -> None:
        """:meth:`ExchangePolicy.use_routing`."""
        self.exchange.use_routing(routing)

    def orders_of(self, young_person_id: UUID) -> list[EducationOrder]:
        """The young person's education orders, oldest first."""
        return self.exchange.orders_of(young_person_id)

    def retention_cases_of(self, young_person_id: UUID) -> list[RetentionCase]:
        """The young person's retention cases, oldest first."""
        return self.exchange.retention_cases_of(young_person_id)

    def receive_institution_message(self, message: InboundMessage, *,
                                    recorded_by: str = UDB) -> Received:
        """:meth:`ExchangePolicy.receive_institution_message`: record one inbound report
        (once per report id), routed, and apply it and any pending reports."""
        return self.exchange.receive_institution_message(message, recorded_by=recorded_by)

    def receive_inbound(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                        message: InboundMessage) -> Received:
        """:meth:`ExchangePolicy.receive_inbound` (the message in the commands' shape)."""
        return self.exchange.receive_inbound(young_person_id, occurred_on=occurred_on,
                                             recorded_by=recorded_by, message=message)

    def receive_all(self, messages: Iterable[InboundMessage], *,
                    recorded_by: str = UDB) -> Iterator[Received]:
        """:meth:`ExchangePolicy.receive_all` (a nightly batch from UDB)."""
        return self.exchange.receive_all(messages, recorded_by=recorded_by)

    def apply_pending_reports(self, young_person_id: UUID, *,
                              recorded_by: str = UDB) -> tuple[str, ...]:
        """:meth:`ExchangePolicy.apply_pending_reports`."""
        return self.exchange.apply_pending_reports(young_person_id, recorded_by=recorded_by)

    def send_data_til_institution(self, order_id: UUID, *, occurred_on: date,
                                  recorded_by: str, admission_id: str, contact: Contact,
                                  message_id: str | None = None) -> Dispatch:
        """:meth:`ExchangePolicy.send_data_til_institution`: DataTilInstitution and the Jobnet
        letter, recorded as sent."""
        return self.exchange.send_data_til_institution(
            order_id, occurred_on=occurred_on, recorded_by=recorded_by,
            admission_id=admission_id, contact=contact, message_id=message_id)

    def assess_support_and_notify(self, order_id: UUID, *, occurred_on: date,
                                  recorded_by: str, admission_id: str, academic_support: bool,
                                  social_support: bool, needs_documented: bool,
                                  no_support_need: bool, other_support_persons: bool,
                                  wants_institution_contact: bool, contact: Contact,
                                  message_id: str | None = None) -> Dispatch | None:
        """:meth:`ExchangePolicy.assess_support_and_notify`: the support assessment, and the
        notification where the rule data says it is due."""
        return self.exchange.assess_support_and_notify(
            order_id, occurred_on=occurred_on, recorded_by=recorded_by,
            admission_id=admission_id, academic_support=academic_support,
            social_support=social_support, needs_documented=needs_documented,
            no_support_need=no_support_need, other_support_persons=other_support_persons,
            wants_institution_contact=wants_institution_contact, contact=contact,
            message_id=message_id)

    def notification_due(self, order_id: UUID, admission_id: str, on: date) -> bool:
        """:meth:`ExchangePolicy.notification_due`."""
        return self.exchange.notification_due(order_id, admission_id, on)

    def record_further_information(self, order_id: UUID, *, occurred_on: date,
                                   recorded_by: str, admission_id: str,
                                   channel: FurtherInformationChannel) -> None:
        """:meth:`ExchangePolicy.record_further_information`."""
        self.exchange.record_further_information(order_id, occurred_on=occurred_on,
                                                 recorded_by=recorded_by,
                                                 admission_id=admission_id, channel=channel)

    def open_subscription(self, young_person_id: UUID, *, occurred_on: date,
                          recorded_by: str) -> bool:
        """:meth:`ExchangePolicy.open_subscription`: open the UDB subscription or record why
        the rule data's conditions refuse it; returns whether it opened."""
        return self.exchange.open_subscription(young_person_id, occurred_on=occurred_on,
                                               recorded_by=recorded_by)

    def close_subscription(self, young_person_id: UUID, *, occurred_on: date,
                           recorded_by: str) -> None:
        """:meth:`ExchangePolicy.close_subscription` (never closed automatically)."""
        self.exchange.close_subscription(young_person_id, occurred_on=occurred_on,
                                         recorded_by=recorded_by)

    # ------------------------------------------------------------------- queries

    def identity(self, young_person_id: UUID) -> IdentityRecord | None:
        """The identity record (CPR, name) of a young person, if kept and not erased."""
        return self.identities.get(young_person_id)

    def records(self, start: int = 1, stop: int | None = None) -> Iterator[EventRecord]:
        """Every stored event as a light record, in notification order, paged (constant memory).
        """
        mapper = self.mapper
        assert isinstance(mapper, OrjsonMapper)
        if isinstance(self.recorder, SQLiteApplicationRecorder):
            yield from _sqlite_records(self.recorder, mapper, start, stop)
            return
        position = start
        while True:
            page = self.recorder.select_notifications(position, PAGE, stop=stop)
            if not page:
                return
            for n in page:
                yield record_from_state(n.id, str(n.originator_id), n.originator_version,
                                        n.topic, mapper.decode_state(n.state))
            position = page[-1].id + 1

    def records_of(self, *aggregates: Aggregate) -> list[EventRecord]:
        """The records of the given aggregates' streams, stored and not yet saved (inside a
        :meth:`batch`), read by stream id — not the notification log.

        For decisions taken inside a command (the rules judged on a few streams): positions are
        the order of the streams given and their versions, not the store's notification ids.
        """
        mapper = self.mapper
        assert isinstance(mapper, OrjsonMapper)
        out: list[EventRecord] = []
        for aggregate in aggregates:
            for event in self._events_of(aggregate):
                stored = mapper.to_stored_event(event)
                out.append(record_from_state(len(out) + 1, str(aggregate.id),
                                             stored.originator_version, stored.topic,
                                             mapper.decode_state(stored.state)))
        return out

    def case_files(self) -> dict[str, CaseFile]:
        """Every young person's case file, read from the whole store."""
        return {k: CaseFile(k, v) for k, v in group_by_case(self.records()).items()}

    def case_file(self, young_person_id: UUID) -> CaseFile:
        """One young person's case file: their own stream plus their orders and retention
        cases, read by primary key through the store's person → streams index."""
        command = "case_file"
        if not isinstance(young_person_id, UUID):
            raise InvalidCommandError(command, "young_person_id", "a uuid.UUID",
                                      young_person_id)
        wanted = str(young_person_id)
        records = self.case_records(young_person_id)
        if not any(r.stream_id == wanted and r.stream_type == "YoungPerson" for r in records):
            self._person(young_person_id, command)  # unknown, or held unsaved in a batch
        return CaseFile(wanted, records)

    def case_records(self, young_person_id: UUID, last: int | None = None) -> list[EventRecord]:
        """The stored events of every stream of one young person, in notification order, read
        through the person → streams index (up to notification ``last`` when given)."""
        mapper = self.mapper
        assert isinstance(mapper, OrjsonMapper)
        decode = mapper.decode_state
        return [record_from_state(seq, sid, version, topic, decode(state))
                for seq, sid, version, topic, state
                in person_streams(self.recorder).case_rows(young_person_id)
                if last is None or seq <= last]


class _Cases:
    """The application as the exchange policy's :class:`Cases` port."""

    def __init__(self, app: Ungeforloeb) -> None:
        self._app = app

    def person(self, young_person_id: UUID, command: str) -> YoungPerson:
        return self._app._person(young_person_id, command)

    def order(self, order_id: UUID, command: str) -> EducationOrder:
        return self._app._order(order_id, command)

    def retention_case(self, case_id: UUID, command: str) -> RetentionCase:
        return self._app._retention(case_id, command)

    def streams_of(self, young_person_id: UUID) -> list[UUID]:
        return self._app._streams_of(young_person_id)

    def events_of(self, aggregate: Aggregate) -> list[Any]:
        return self._app._events_of(aggregate)

    def records_of(self, *aggregates: Aggregate) -> list[EventRecord]:
        return self._app.records_of(*aggregates)

    def identity(self, young_person_id: UUID) -> IdentityRecord | None:
        return self._app.identity(young_person_id)

    def save(self, *aggregates: Aggregate) -> Any:
        return self._app.save(*aggregates)

    def now(self) -> datetime:
        return self._app.clock()


def _sqlite_records(recorder: SQLiteApplicationRecorder, mapper: OrjsonMapper, start: int,
                    stop: int | None) -> Iterator[EventRecord]:
    """:meth:`Ungeforloeb.records` on SQLite: the rows ``select_notifications`` reads, without
    building its ``Notification`` objects and UUIDs (three times faster; same records).

    eventsourcing's SQLite recorder keeps the notification id as the table's ``rowid`` and a
    UUID originator id as its 32 hex digits (``UUID.hex``).
    """
    statement = (f"SELECT rowid, originator_id, originator_version, topic, state "
                 f"FROM {recorder.events_table_name} WHERE rowid>=? "
                 f"{'' if stop is None else 'AND rowid<=? '}ORDER BY rowid LIMIT ?")
    ids: dict[str, str] = {}
    decode = mapper.decode_state
    position = start
    while True:
        params = (position, PAGE) if stop is None else (position, stop, PAGE)
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows = c.fetchall()
        if not rows:
            return
        if len(ids) > 20_000:  # bounded: stream ids recur close together
            ids.clear()
        for seq, hex_id, version, topic, state in rows:
            stream_id = ids.get(hex_id)
            if stream_id is None:
                ids[hex_id] = stream_id = str(UUID(hex_id))
            yield record_from_state(seq, stream_id, version, topic, decode(state))
        position = rows[-1][0] + 1

