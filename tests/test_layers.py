"""The shape of the house, as the house style draws it: imports point one way, down the layers, and no module of the
project imports itself back through others. Every import counts, those inside functions too: an import put
in a function to dodge a circle at start-up is still a circle in the design."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first: a module may import from its own layer and the layers below it, never from one above.
LAYERS = (
    ("settings", "untrusted", "logs", "files"),  # the environment, text from outside made safe, log lines, whole files
    ("metrics", "reference"),  # pure functions over data frames; published reference figures as data
    ("warehouse",),  # tables, engines, the queries pages need
    ("etl", "exchange", "command_line"),  # loading bundles; the exchange between forces; what commands share
    ("access", "security", "health"),  # who is asking, the server's defences, health
    ("views",),  # what a page shows, as data: views, their words, numbers and figures, the signed store
    ("components", "hub"),  # the Dash parts a page is drawn with; the benchmarking hub, a Dash app of its own
    ("pages",),  # one module a page: its record, its view, its controls; the registry that collects them
    ("render",),  # the renderers over the same views: page, slides, images, table files
    ("web",),  # requests, the guard, the caches, the downloads, the filter bar, the warm-up
    (
        "app",
        "cli",
        "__main__",
        "exchange.cli",
        "reference.cli",
        "hub.cli",
        "gunicorn.conf",
        "web.inprocess",
    ),  # the edges: the app, the commands, the server's settings, pages drawn in-process
)


def project_modules() -> dict[str, Path]:
    """Every Python module of Harbour (not its tests or scripts), by dotted name."""
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("tests", "scripts", "build", "docs") or rel.parts[0].startswith("."):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports, anywhere in its file."""
    found = set()
    package = "harbour." + (name if path.name == "__init__.py" else name.rpartition(".")[0])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            target = target.removeprefix("harbour.") if target != "harbour" else ""
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for index, members in enumerate(LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > best_len:
                best, best_len = index, len(member)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack, on_stack, found = [], set(), []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_back_through_others():
    assert cycles(graph()) == []


def test_imports_point_down_the_layers():
    upward = sorted(
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )
    assert upward == []


def test_every_module_is_in_a_layer():
    for module in project_modules():
        layer_of(module)


def test_the_cycle_finder_finds_a_circle_and_the_layers_an_upward_import():
    """The checks above can fail: a made-up graph with a circle and an upward import is caught."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert (
        layer_of("metrics.summary") < layer_of("views.model") < layer_of("pages.overview") < layer_of("render.slides")
    )
    assert layer_of("render.slides") < layer_of("web.page") < layer_of("app")
    assert layer_of("exchange.cli") > layer_of("exchange.packs")
