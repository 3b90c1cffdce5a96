"""Imports point one way: config (the project) may import both apps, reviews (the workflow) may import
factsheets (the content), factsheets imports neither; and no module imports one that imports it back,
directly or around a loop, even inside a function."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("factsheets", "reviews", "config")
# Which packages each may import from; a package may always import itself.
ALLOWED = {"factsheets": set(), "reviews": {"factsheets"}, "config": {"factsheets", "reviews"}}


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # a migration is frozen history, not a layer of the running code
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(name: str, path: Path, modules) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in edges:
        if node not in index:
            visit(node)
    return groups


def test_the_graph_sees_the_imports_it_judges():
    edges = graph()
    assert "factsheets.models" in edges["reviews.services"]
    assert "reviews.views" in edges["config.urls"]


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(graph()) == []


def test_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_packages_import_only_downward():
    wrong = [
        (name, target)
        for name, targets in graph().items()
        for target in targets
        if target.split(".")[0] != name.split(".")[0] and target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]
    assert wrong == []


# The rooms of the content app, lowest first; a module may import its own room and any room below it.
# Content (the models and what checks, renders and reads them) is the floor; plain language reads content;
# the public site shows it; the API serves it as JSON; importing reads and writes files through the API's
# documents; authoring (the admin) may use them all. The app's own top-level modules (apps, admin
# autodiscovery, management commands) sit above every room.
ROOMS = ["content", "plain_language", "public", "api", "importing", "authoring"]


def room_rank(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "factsheets":
        return None
    room = parts[1] if len(parts) > 1 else ""
    if room == "models":
        room = "content"
    return ROOMS.index(room) if room in ROOMS else len(ROOMS)


def test_rooms_of_the_content_app_import_only_downward():
    wrong = [
        (name, target)
        for name, targets in graph().items()
        if room_rank(name) is not None
        for target in targets
        if room_rank(target) is not None and room_rank(target) > room_rank(name)
    ]
    assert wrong == []


def test_room_ranks_put_content_below_the_screens():
    assert room_rank("factsheets.models.revisions") == room_rank("factsheets.content.markdown") == 0
    assert room_rank("factsheets.public.views") < room_rank("factsheets.api.views")
    assert room_rank("factsheets.authoring.admin") < room_rank("factsheets.management.commands.export_site")
    assert room_rank("reviews.services") is None
