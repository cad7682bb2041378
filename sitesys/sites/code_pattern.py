"""A site's client-code pattern: the small, safe part of regular expressions an admin may write
(capitals, digits, classes such as [A-Z], and bounded counts), and how long a code may be.

The site's set-up owns this rule; the desk (clients/codes.py) checks codes against the pattern.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

#: The longest client code, however the site's pattern reads.
MAX_CODE_LENGTH = 40

#: One part of a code pattern: a capital letter, digit or hyphen, a class such as [A-Z] or
#: [0-9], \d, or "." (any character), with an optional count: {4}, {2,3} or ? (may be left out).
_PART = re.compile(
    r"(\[(?:[A-Z0-9](?:-[A-Z0-9])?)+\]|\\d|\.|[A-Z0-9-])(\{(\d{1,2})(?:,(\d{1,2}))?\}|\?)?"
)
#: How many ways a pattern may allow a code to be read (the product of each part's choice of
#: length). Matching tries each at most once, so this bounds the desk's lookup whatever is typed.
MAX_READINGS = 1000


def pattern_problem(pattern: str) -> str | None:
    """Why an admin's code pattern cannot be used, or None.

    Patterns are a small, safe part of regular expressions: parts with fixed or bounded counts,
    no groups, alternatives or open-ended repeats (+, *). An open-ended or nested repeat can take
    the desk's lookup minutes on an unlucky code, and lower-case letters never match a code,
    which is upper-cased before it is checked.
    """
    try:
        re.compile(pattern)
    except re.error as error:
        return str(
            _("That pattern is not a valid regular expression (%(problem)s).", problem=error.msg)
        )
    if re.fullmatch(pattern, "") is not None:
        return str(_("The pattern must not accept an empty code."))
    body = pattern.removeprefix("^").removesuffix("$")
    if re.search(r"[a-z]", body.replace("\\d", "")):
        return str(
            _(
                "Codes are upper-cased before they are checked: write letters as capitals, "
                "for example [A-Z] rather than [a-z]."
            )
        )
    readings, position = 1, 0
    while position < len(body):
        part = _PART.match(body, position)
        if part is None:
            return str(
                _(
                    "Use only capital letters, digits, classes such as [A-Z] or [0-9], \\d, and "
                    "counts such as {4}, {2,3} or ?; groups, alternatives, + and * are not allowed."
                )
            )
        least, most = part.group(3), part.group(4)
        if part.group(2) == "?":
            readings *= 2
        elif most is not None:
            if int(most) < int(least) or int(most) > MAX_CODE_LENGTH:
                return str(
                    _(
                        "A count such as {2,3} must go from low to high, at most %(most)s.",
                        most=MAX_CODE_LENGTH,
                    )
                )
            readings *= int(most) - int(least) + 1
        position = part.end()
    if readings > MAX_READINGS:
        return str(
            _("That pattern allows too many ways to read a code; use fixed counts such as {4}.")
        )
    return None
