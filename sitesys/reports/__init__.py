"""Reports: the indicators of one site or a network over a run of local days, their small-cell
suppression for publication, exports and charts.
"""


def N_(text: str) -> str:
    """Marks a word for the catalogue without translating it: breakdown rows are keyed (and
    kept per day) by their English words, and translated only where they are shown.
    """
    return text
