"""Emergencies, incidents and adverse reactions: the response log, the report, manager review."""
