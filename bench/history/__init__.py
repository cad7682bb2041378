"""Synthetic history for benchmarks and demonstrations: years of visits generated in bulk."""

from sitesys.demo import DEMO_SITE

#: The site history is made for unless another is named: the demo's site.
DEFAULT_SITE = DEMO_SITE
