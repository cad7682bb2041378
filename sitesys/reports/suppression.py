"""Small-cell suppression for what leaves the organisation, with secondary suppression.

A published table is a set of cells and the sums that bind them: each row of categories adds up
to the row's total, each column of sites to the network's total. A hidden cell can be worked out
from the published ones exactly when it lies on no cycle of hidden cells (rows and columns as
the nodes of a graph, each cell the edge between its row and its column): along a cycle one can
add to every other cell and take from the rest without changing any sum, so none is determined;
a hidden cell on no cycle (a bridge) is pinned down by the sums. So: hide the small counts
(primary), then, while some hidden cell is a bridge, hide the cheapest published cells that
close a cycle through it (secondary). Tables share cells (the visits' total closes the routes'
table and the days'), so the passes repeat over every table until nothing changes.

Pure functions on plain data; `tests/reports/test_suppression.py` checks the promise by solving
the published tables with exact arithmetic.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 10


class Mark(enum.StrEnum):
    SHOWN = "shown"
    #: A small count (1 to threshold - 1): shown as "<threshold".
    SMALL = "small"
    #: Hidden so that a small count cannot be worked out from the rest.
    PROTECTING = "protecting"

    @property
    def hidden(self) -> bool:
        return self is not Mark.SHOWN


@dataclass(frozen=True)
class Table:
    """Cells by row and column; `row_totals`: the last column is each row's sum of the others;
    `column_totals`: the last row is each column's sum of the others. A cell id may be None (a
    blank, such as a site with no row for a substance: it counts as a published zero).
    """

    cells: Sequence[Sequence[Hashable | None]]
    row_totals: bool
    column_totals: bool


Node = tuple[str, int | None]
Edge = tuple[Hashable, Node, Node]

_GROUND_ROW: Node = ("row", None)
_GROUND_COLUMN: Node = ("column", None)


def _edges(table: Table) -> list[Edge]:
    """Each cell as an edge between the sum it is in along its row and along its column (a
    ground node where that direction has no sum).
    """
    edges: list[Edge] = []
    for i, row in enumerate(table.cells):
        for j, cell in enumerate(row):
            if cell is None:
                continue
            row_node: Node = ("row", i) if table.row_totals else _GROUND_ROW
            column_node: Node = ("column", j) if table.column_totals else _GROUND_COLUMN
            edges.append((cell, row_node, column_node))
    return edges


def _path_cost(
    edges: Sequence[Edge],
    skip: int,
    start: Node,
    goal: Node,
    cost: Mapping[Hashable, float],
    hidden: set[Hashable],
) -> list[Hashable] | None:
    """The cheapest cells to hide so that `start` and `goal` are joined without edge `skip`
    (hidden cells cost nothing), or None when they cannot be joined.
    """
    around: dict[Node, list[tuple[Node, int]]] = {}
    for index, (_cell, a, b) in enumerate(edges):
        if index == skip:
            continue
        around.setdefault(a, []).append((b, index))
        around.setdefault(b, []).append((a, index))
    best: dict[Node, float] = {start: 0.0}
    came: dict[Node, tuple[Node, int]] = {}
    queue: list[tuple[float, int, Node]] = [(0.0, 0, start)]
    order = 1
    while queue:
        spent, _, node = heapq.heappop(queue)
        if node == goal:
            break
        if spent > best.get(node, float("inf")):
            continue
        for neighbour, index in around.get(node, []):
            cell = edges[index][0]
            step = 0.0 if cell in hidden else cost[cell]
            if spent + step < best.get(neighbour, float("inf")):
                best[neighbour] = spent + step
                came[neighbour] = (node, index)
                heapq.heappush(queue, (spent + step, order, neighbour))
                order += 1
    if goal not in best:
        return None
    path = []
    node = goal
    while node != start:
        node, index = came[node]
        path.append(edges[index][0])
    return [cell for cell in path if cell not in hidden]


def _is_bridge(
    edges: Sequence[Edge],
    index: int,
    hidden: set[Hashable],
) -> bool:
    """Whether hidden edge `index` is on no cycle of hidden edges."""
    _cell, start, goal = edges[index]
    if start == goal:
        return False
    around: dict[Node, list[Node]] = {}
    for other, (cell, a, b) in enumerate(edges):
        if other != index and cell in hidden:
            around.setdefault(a, []).append(b)
            around.setdefault(b, []).append(a)
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for neighbour in around.get(node, []):
            if neighbour == goal:
                return False
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return True


def _cost(value: int) -> float:
    """Hide small published counts first; a zero last (hiding it protects least)."""
    return float(value) if value > 0 else 1e12


def suppress(
    tables: Sequence[Table], values: Mapping[Hashable, int], threshold: int = DEFAULT_THRESHOLD
) -> dict[Hashable, Mark]:
    """The mark of every cell of `values`: small counts hidden, and enough others hidden that
    no hidden cell can be worked out from any table's sums.
    """
    marks = {
        cell: Mark.SMALL if 0 < value < threshold else Mark.SHOWN for cell, value in values.items()
    }
    hidden = {cell for cell, mark in marks.items() if mark.hidden}
    cost = {cell: _cost(value) for cell, value in values.items()}
    changed = True
    while changed:
        changed = False
        for table in tables:
            edges = _edges(table)
            for index, (cell, start, goal) in enumerate(edges):
                if cell not in hidden or not _is_bridge(edges, index, hidden):
                    continue
                closing = _path_cost(edges, index, start, goal, cost, hidden)
                if not closing:
                    continue  # nothing can hide it (a table of one cell): shown as it is
                for other in closing:
                    hidden.add(other)
                    marks[other] = Mark.PROTECTING
                changed = True
    return marks
