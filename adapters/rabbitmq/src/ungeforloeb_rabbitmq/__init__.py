"""RabbitMQ adapter of ungeforloeb.

- :class:`InboundConsumer` receives the institutions' messages (the exchange codec's JSON) from
  a durable queue into the application, acks after the events are stored, and dead-letters
  what does not decode or is refused, with headers naming the error and its path.
- :class:`OutboxRelay` publishes every recorded ``InstitutionNotified`` as DataTilInstitution,
  with publisher confirms and a persistent position (:class:`RelayState`).

See ``adapters/rabbitmq/README.md``.
"""

from ungeforloeb_rabbitmq.broker import BrokerUnreachableError, confirming_channel, connect
from ungeforloeb_rabbitmq.consumer import (
    ConsumeStats,
    InboundConsumer,
    Outcome,
    StoreUnavailableError,
)
from ungeforloeb_rabbitmq.contacts import ContactDirectory, ContactDirectoryError, load_contacts
from ungeforloeb_rabbitmq.outbound import NotSendableError, rebuild
from ungeforloeb_rabbitmq.position import RelayLockedError, RelayState
from ungeforloeb_rabbitmq.relay import OutboxRelay, RelayStats, Target

__all__ = [
    "BrokerUnreachableError",
    "ConsumeStats",
    "ContactDirectory",
    "ContactDirectoryError",
    "InboundConsumer",
    "NotSendableError",
    "OutboxRelay",
    "Outcome",
    "RelayLockedError",
    "RelayState",
    "RelayStats",
    "StoreUnavailableError",
    "Target",
    "confirming_channel",
    "connect",
    "load_contacts",
    "rebuild",
]
