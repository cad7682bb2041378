"""Drug checking: samples, their tests and results, custody, and the result look-up by code."""
