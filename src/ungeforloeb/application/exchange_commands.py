"""Commands of the municipality–institution exchange, mixed into the application.

Kept in its own module so that the exchange (inbound messages, routing, receipts, subscription)
grows here without touching the core command set in :mod:`ungeforloeb.application.app`.
"""

from __future__ import annotations


class ExchangeCommands:
    """Mixin for :class:`ungeforloeb.application.app.Ungeforloeb`: exchange commands."""
