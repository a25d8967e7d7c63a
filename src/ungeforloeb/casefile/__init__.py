"""Case files: light event records folded, per young person, into plain facts.

The same fold serves the live projections (records read from the store) and the audit (records
decoded from an exported log), so that both give the same answers by construction.
"""

from ungeforloeb.casefile.fold import CaseFile, Facts, fold
from ungeforloeb.casefile.records import EventRecord, group_by_case

__all__ = ["CaseFile", "EventRecord", "Facts", "fold", "group_by_case"]
