"""Synthetic history for benchmarks and demonstrations: years of visits generated in bulk."""
