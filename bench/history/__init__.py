"""Synthetic history for benchmarks and demonstrations: years of visits generated in bulk."""

#: The site history is made for unless another is named (the demo's site).
DEFAULT_SITE = "Demo Site"
