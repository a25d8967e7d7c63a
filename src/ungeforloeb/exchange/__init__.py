"""The municipality–institution exchange: typed messages both ways (:mod:`.messages`, named
after the national services), their strict JSON codec (:mod:`.codec`), code lists kept as
unverified data (:mod:`.codelists`), the designated recipients (:mod:`.routing`) and the
Jobnet letter (:mod:`.letter`). The wire contract only: the law it serves (who is notified, the
receipts, the retention deadlines, when the UDB subscription opens) is rule data judged by
:mod:`ungeforloeb.rules`.

The exchange policy (reports applied to cases, notices sent) is
:mod:`ungeforloeb.application.exchange_commands`; see ``docs/exchange.md``.
"""
