"""Which packages of a universal lock (uv.lock) an install selects, as one marker per package.

A universal lock lists every package any environment may need; the dependency edges carry the
markers. A package is installed when some path from a root (the project or a workspace member)
reaches it through edges whose markers hold. That condition is kept in disjunctive normal form
(a set of conjunctions of edge markers) and becomes the package's marker, evaluated later for the
target environment like any other lock marker. A package no path reaches is not installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.markers import Marker

MAX_TERMS = 32
"""Past this many alternative paths a package is treated as always installed: vetting a package
the target would skip costs a little time; the reverse would let it through unvetted."""

Term = frozenset[str]
"""One path's condition: all of these markers hold (the empty term is "always")."""
ALWAYS: frozenset[Term] = frozenset({frozenset()})


@dataclass(frozen=True)
class Edge:
    """A dependency as the lock records it: the target, and the extras it asks of that target."""

    name: str
    version: str | None = None
    source: Mapping[str, object] | None = None
    marker: str | None = None
    extras: tuple[str, ...] = ()


@dataclass
class Node:
    """One locked package and its outgoing edges."""

    name: str
    version: str | None
    source: Mapping[str, object]
    requires: list[Edge] = field(default_factory=list)
    optional: dict[str, list[Edge]] = field(default_factory=dict)
    """Edges of each extra of this package (`[package.optional-dependencies]`)."""
    groups: dict[str, list[Edge]] = field(default_factory=dict)
    """Edges of each dependency group of a root (uv.lock's `[package.dev-dependencies]`)."""


def reachable(
    nodes: Sequence[Node], roots: Iterable[tuple[int, list[Edge]]],
) -> dict[int, Marker | None]:
    """Node index -> the marker under which it is installed (None: always) for reached nodes."""
    by_name: dict[str, list[int]] = {}
    for index, node in enumerate(nodes):
        by_name.setdefault(node.name, []).append(index)
    conditions: dict[tuple[int, str | None], frozenset[Term]] = {}
    pending: list[tuple[int, str | None]] = []
    for index, edges in roots:
        conditions[(index, None)] = ALWAYS
        for edge in edges:
            _follow(edge, ALWAYS, nodes, by_name, conditions, pending)
    while pending:
        index, extra = pending.pop()
        node, terms = nodes[index], conditions[(index, extra)]
        for edge in node.requires if extra is None else node.optional.get(extra, []):
            _follow(edge, terms, nodes, by_name, conditions, pending)
    return {index: _marker(terms) for (index, extra), terms in conditions.items()
            if extra is None}


def _follow(
    edge: Edge, terms: frozenset[Term], nodes: Sequence[Node], by_name: dict[str, list[int]],
    conditions: dict[tuple[int, str | None], frozenset[Term]],
    pending: list[tuple[int, str | None]],
) -> None:
    through = terms if edge.marker is None else frozenset(t | {edge.marker} for t in terms)
    for target in _targets(edge, nodes, by_name):
        for key in [(target, None), *((target, e) for e in edge.extras)]:
            old = conditions.get(key, frozenset())
            new = _simplified(old | through)
            if new != old:
                conditions[key] = new
                pending.append(key)


def _targets(edge: Edge, nodes: Sequence[Node], by_name: dict[str, list[int]]) -> list[int]:
    """The packages an edge means: by name, narrowed by version and source when given."""
    found = by_name.get(edge.name, [])
    if edge.version is not None:
        found = [i for i in found if nodes[i].version == edge.version] or found
    if edge.source is not None and len(found) > 1:
        found = [i for i in found if nodes[i].source == edge.source] or found
    return found


def _simplified(terms: frozenset[Term]) -> frozenset[Term]:
    if frozenset() in terms or len(terms) > MAX_TERMS:
        return ALWAYS
    # A term that contains another adds nothing: (a) or (a and b) is (a).
    return frozenset(t for t in terms if not any(o < t for o in terms))


def _marker(terms: frozenset[Term]) -> Marker | None:
    if terms == ALWAYS:
        return None
    ordered = sorted(terms, key=sorted)
    alternatives = [" and ".join(f"({m})" for m in sorted(term)) for term in ordered]
    return Marker(" or ".join(f"({a})" for a in alternatives))
