"""`python -m bench.history ARGS`: the real `flask --app wsgi generate-history ARGS`, run through
Flask's own command-line entry point.

The benchmark runs it this way so that its process is not named like a development server: a
`pkill -f "flask --app wsgi"` run by someone stopping theirs on a shared machine once ended a
five-year generation half-way.
"""

from __future__ import annotations

import sys

from flask.cli import main

if __name__ == "__main__":
    sys.argv = ["flask", "--app", "wsgi", "generate-history", *sys.argv[1:]]
    main()
