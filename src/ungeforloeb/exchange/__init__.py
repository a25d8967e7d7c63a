"""The municipality–institution exchange: typed messages both ways (:mod:`.messages`, named
after the national services), their strict JSON codec (:mod:`.codec`), code lists kept as
unverified data (:mod:`.codelists`), checks on reported data (:mod:`.checks`), routing and
receipts (:mod:`.routing`), retention deadlines (:mod:`.retention`), the Jobnet letter
(:mod:`.letter`) and the UDB subscription rule (:mod:`.subscription`).

The application's exchange commands are in
:mod:`ungeforloeb.application.exchange_commands`; see ``docs/exchange.md``.
"""
