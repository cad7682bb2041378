"""Shift handovers: the snapshot, the I-PASS narrative, acknowledgement."""
