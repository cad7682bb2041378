"""Small-cell suppression: no hidden cell can be worked out from what is published.

Each property builds tables with their sums, suppresses them, then solves the published sums
for the hidden cells with exact arithmetic: a hidden cell is determined exactly when its unit
vector is a combination of the constraints' rows, and none may be.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sitesys.reports.suppression import Mark, Table, suppress


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(row) for row in rows]
    rank = 0
    width = len(matrix[0]) if matrix else 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def _constraints(table: Table) -> list[dict[Hashable, int]]:
    """Each sum of a table as {cell: coefficient} (= 0)."""
    sums: list[dict[Hashable, int]] = []
    cells = table.cells
    if table.row_totals:
        for row in cells:
            sums.append({**{cell: 1 for cell in row[:-1]}, row[-1]: -1})
    if table.column_totals:
        for j in range(len(cells[0])):
            column = [row[j] for row in cells]
            sums.append({**{cell: 1 for cell in column[:-1]}, column[-1]: -1})
    return sums


def determined(tables: Sequence[Table], marks: dict[Hashable, Mark]) -> list[Hashable]:
    """The hidden cells the published sums pin down."""
    unknown = sorted((cell for cell, mark in marks.items() if mark.hidden), key=repr)
    if not unknown:
        return []
    index = {cell: k for k, cell in enumerate(unknown)}
    rows = []
    for table in tables:
        for constraint in _constraints(table):
            row = [Fraction(0)] * len(unknown)
            for cell, coefficient in constraint.items():
                if cell in index:
                    row[index[cell]] += coefficient
            if any(row):
                rows.append(row)
    base = _rank(rows) if rows else 0
    found = []
    for cell, k in index.items():
        unit = [Fraction(int(i == k)) for i in range(len(unknown))]
        if _rank([*rows, unit]) == base:
            found.append(cell)
    return found


def _with_sums(
    name: str, body: list[list[int]], row_totals: bool, column_totals: bool
) -> tuple[Table, dict[Hashable, int]]:
    grid = [list(row) for row in body]
    if row_totals:
        grid = [[*row, sum(row)] for row in grid]
    if column_totals:
        grid.append([sum(column) for column in zip(*grid, strict=True)])
    cells = [[(name, i, j) for j in range(len(grid[0]))] for i in range(len(grid))]
    values: dict[Hashable, int] = {
        cells[i][j]: grid[i][j] for i in range(len(grid)) for j in range(len(grid[0]))
    }
    return Table(cells, row_totals, column_totals), values


counts = st.one_of(st.integers(0, 12), st.integers(0, 400))
bodies = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=5)
)
shapes = st.sampled_from([(True, True), (True, False), (False, True)])


@settings(max_examples=150, deadline=None)
@given(body=bodies, shape=shapes, threshold=st.sampled_from([5, 10, 20]))
def test_no_hidden_cell_can_be_worked_out(body, shape, threshold):
    table, values = _with_sums("t", body, *shape)
    marks = suppress([table], values, threshold)
    for cell, value in values.items():
        if 0 < value < threshold:
            assert marks[cell] is Mark.SMALL
        elif marks[cell] is Mark.SMALL:
            raise AssertionError(f"{cell} = {value} marked small")
    if len(values) > 1:
        assert determined([table], marks) == []


@settings(max_examples=100, deadline=None)
@given(first=bodies, second=bodies)
def test_tables_sharing_their_totals_stay_undetermined(first, second):
    """Two breakdowns of the same visits (routes, days) share the sites' totals and the network
    total: hiding a total to protect one table must be protected in the other too.
    """
    rows = min(len(first), len(second))
    first, second = first[:rows], second[:rows]
    # Make the second table's rows add up to the same totals as the first's.
    second = [
        [*row[:-1], max(0, sum(first[i]) - sum(row[:-1]))] if sum(first[i]) >= sum(row[:-1])
        else [sum(first[i])] + [0] * (len(row) - 1)
        for i, row in enumerate(second)
    ]  # fmt: skip
    one, values = _with_sums("a", first, True, True)
    two, more = _with_sums("b", second, True, True)
    # The last column (the row totals, and the grand total) is the same cells in both.
    shared = [[*row[:-1], one.cells[i][-1]] for i, row in enumerate(two.cells)]
    for i, row in enumerate(two.cells):
        assert more[row[-1]] == values[one.cells[i][-1]]
        del more[row[-1]]
    two = Table(shared, True, True)
    values.update(more)
    marks = suppress([one, two], values)
    assert determined([one, two], marks) == []


def test_a_single_small_count_takes_the_next_smallest_with_it():
    table, values = _with_sums("t", [[3, 20, 30]], True, False)
    marks = suppress([table], values)
    assert [marks[cell] for cell in table.cells[0]] == [
        Mark.SMALL, Mark.PROTECTING, Mark.SHOWN, Mark.SHOWN,
    ]  # fmt: skip


def test_zero_is_published_and_needs_no_protection():
    table, values = _with_sums("t", [[0, 20, 30]], True, False)
    assert all(mark is Mark.SHOWN for mark in suppress([table], values).values())


def test_the_solver_finds_a_cell_hidden_alone():
    """The check is not vacuous: hiding only the small count leaves it worked out by the sum."""
    table, values = _with_sums("t", [[3, 20, 30]], True, False)
    marks = {cell: Mark.SHOWN for cell in values}
    marks[table.cells[0][0]] = Mark.SMALL
    assert determined([table], marks) == [table.cells[0][0]]
