"""`python -m tests.safety_case`: see the package's docstring."""

import sys

from tests.safety_case.command import main

sys.exit(main())
