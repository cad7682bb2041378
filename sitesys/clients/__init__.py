"""Clients, known only by a digest of their self-generated code."""
