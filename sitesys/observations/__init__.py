"""Nurse observations and early-warning scores."""
