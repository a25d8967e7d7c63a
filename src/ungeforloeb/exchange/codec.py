"""Structuring the exchange's messages from JSON, and back, on a private cattrs converter.

The converter is strict at the edge: unknown keys are refused (``forbid_extra_keys``), a string
is never coerced from a number, a boolean is only ``true`` or ``false``, a date only
``YYYY-MM-DD``. Inbound messages are a tagged union on the key ``"type"`` (the class name, e.g.
``"Optagelse"``). Errors name the JSON path of every problem (``$.provenance.occurred_on``),
through cattrs' ``transform_error``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any, TypeVar, cast
from uuid import UUID

import orjson
from cattrs import Converter
from cattrs.errors import BaseValidationError
from cattrs.strategies import configure_tagged_union
from cattrs.v import format_exception, transform_error

from ungeforloeb.exchange.messages import (
    INBOUND_TYPES,
    DataTilInstitution,
    InboundMessage,
    MessageError,
)

T = TypeVar("T")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TAG = "type"


class MessageStructureError(MessageError):
    """Raised when JSON does not structure into a message; ``errors`` lists each problem with
    its path, e.g. ``"invalid value for type, expected date @ $.provenance.occurred_on"``."""

    def __init__(self, what: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"{what}: " + "; ".join(errors))


def _strict_str(value: Any, _: type[Any]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _strict_bool(value: Any, _: type[Any]) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _strict_date(value: Any, _: type[Any]) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")
    return date.fromisoformat(value)


def _strict_uuid(value: Any, _: type[Any]) -> UUID:
    if not isinstance(value, str):
        raise TypeError(f"expected a UUID string, got {type(value).__name__}")
    return UUID(value)


def _strict_enum(value: Any, tp: type[Enum]) -> Enum:
    if not isinstance(value, str):
        raise TypeError(f"expected one of {[m.value for m in tp]}, got {value!r}")
    return tp(value)


def _format(exc: BaseException, tp: type[Any] | None) -> str:
    if isinstance(exc, MessageError):
        return str(exc)
    return format_exception(exc, tp)


def _make_converter() -> Converter:
    c = Converter(forbid_extra_keys=True, detailed_validation=True)
    c.register_structure_hook(str, _strict_str)
    c.register_structure_hook(bool, _strict_bool)
    c.register_structure_hook(date, _strict_date)
    c.register_structure_hook(UUID, _strict_uuid)
    c.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, Enum),
                                   _strict_enum)
    c.register_unstructure_hook(date, lambda d: d.isoformat())
    c.register_unstructure_hook(UUID, str)
    c.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, Enum),
                                     lambda e: e.value)
    configure_tagged_union(InboundMessage, c, tag_name=TAG,
                           tag_generator=lambda cl: cl.__name__)
    return c


_converter = _make_converter()


def _load(data: bytes | str | Mapping[str, Any]) -> Any:
    if isinstance(data, bytes | str):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise MessageStructureError("not JSON", [str(e)]) from None
    return data


def _structure(data: Any, tp: Any, what: str) -> Any:
    try:
        return _converter.structure(data, tp)
    except BaseValidationError as e:
        errors = transform_error(e, path="$", format_exception=_format)
        raise MessageStructureError(what, errors) from None
    except MessageError as e:  # a validator of the message class
        raise MessageStructureError(what, [f"{e} @ $"]) from None
    except (KeyError, TypeError, ValueError) as e:
        raise MessageStructureError(what, [f"{e} @ $"]) from None


def structure_inbound(data: bytes | str | Mapping[str, Any]) -> InboundMessage:
    """An inbound message from its JSON (``{"type": "Optagelse", …}``); raises
    :class:`MessageStructureError` naming every bad path."""
    loaded = _load(data)
    tag = loaded.get(TAG) if isinstance(loaded, Mapping) else None
    if not isinstance(tag, str) or tag not in {t.__name__ for t in INBOUND_TYPES}:
        names = sorted(t.__name__ for t in INBOUND_TYPES)
        got = loaded.get(TAG) if isinstance(loaded, Mapping) else type(loaded).__name__
        raise MessageStructureError("inbound message",
                                    [f"'{TAG}' must be one of {names}, got {got!r} @ $.{TAG}"])
    return cast(InboundMessage, _structure(loaded, InboundMessage, "inbound message"))


def unstructure_inbound(message: InboundMessage) -> dict[str, Any]:
    """The JSON-ready dict of an inbound message, tagged with ``"type"``."""
    result: dict[str, Any] = _converter.unstructure(message, InboundMessage)
    return result


def structure_outbound(data: bytes | str | Mapping[str, Any]) -> DataTilInstitution:
    """A :class:`DataTilInstitution` from its JSON; refuses unknown keys and free text."""
    return cast(DataTilInstitution,
                _structure(_load(data), DataTilInstitution, "DataTilInstitution"))


def unstructure_outbound(message: DataTilInstitution) -> dict[str, Any]:
    """The JSON-ready dict of the outbound message (as sent; it holds the CPR number)."""
    result: dict[str, Any] = _converter.unstructure(message)
    return result


def structure(data: Any, tp: type[T]) -> T:
    """Structure ``data`` into any message part ``tp`` (e.g. :class:`Contact`) strictly."""
    return cast(T, _structure(_load(data) if isinstance(data, bytes | str) else data, tp,
                              tp.__name__))
