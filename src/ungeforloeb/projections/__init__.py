"""Projections: status, worklist, audit trail and compliance, rebuilt from event records."""
