"""No import cycle between the package's modules (issue 12: "no import cycle").

Every import counts: at the top of a module, inside a function (loaded later) and under
``TYPE_CHECKING`` (a dependency all the same: what a module needs to be understood).
The graph is grimp's, import-linter's own; a cycle fails with the modules in it and one
way round.
"""

from __future__ import annotations

import grimp

PACKAGE = "tui_pos"


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that import each other, directly or not
    (Tarjan's algorithm, iterative: the graph has some 300 modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def package_imports() -> tuple[grimp.ImportGraph, dict[str, set[str]]]:
    # no cache_dir: the test writes nothing beside the code
    graph = grimp.build_graph(PACKAGE, exclude_type_checking_imports=False, cache_dir=None)
    inside = {m for m in graph.modules if m == PACKAGE or m.startswith(PACKAGE + ".")}
    edges = {m: graph.find_modules_directly_imported_by(m) & inside for m in inside}
    return graph, edges


def test_the_finder_finds_a_cycle_and_leaves_a_chain_alone() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set(), "f": {"f"}}
    assert strongly_connected(edges) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_of_the_package_imports_itself_back() -> None:
    graph, edges = package_imports()
    assert len(edges) > 250  # the whole package was read
    cycles = []
    for group in strongly_connected(edges):
        first = group[0]
        back = next(m for m in sorted(edges[first]) if m in group)
        chain = graph.find_shortest_chain(importer=back, imported=first) or (back, first)
        cycles.append(" -> ".join((first, *chain)))
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)
