"""The package map in docs/architecture.md is the rule; this test holds the code to it.

Every import in conversations_ops/ (module level or inside a function) is read
with `ast`, reduced to "package A imports package B", and checked against the
map's "May import" column; the package graph must have no cycle; only twilio/
imports twilio.rest; the product and the simulator never import each other.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ROOT / "conversations_ops"
MAP = ROOT / "docs" / "architecture.md"
ANY_BUT = re.compile(r"^any but (.+)$")


def package_map() -> dict[str, set[str] | tuple[str, set[str]]]:
    """Package -> the packages it may import (or ("any but", excluded))."""
    text = MAP.read_text()
    table = text[text.index("<!-- package-map -->") : text.index("<!-- /package-map -->")]
    rules = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        name, allowed = cells[0].strip("`"), cells[2]
        if match := ANY_BUT.match(allowed):
            rules[name] = ("any but", {part.strip() for part in match.group(1).split(",")})
        else:
            rules[name] = set() if allowed == "-" else {part.strip() for part in allowed.split(",")}
    return rules


def unit_of(module: str) -> str | None:
    """conversations_ops.outbox.runner -> "outbox"; conversations_ops.masking -> "masking"."""
    parts = module.split(".")
    return parts[1] if parts[0] == "conversations_ops" and len(parts) > 1 else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, here: str = "") -> list[tuple[int, str]]:
    """(line, dotted module) for every import in the file, relative ones resolved."""
    here = here or module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from conversations_ops import masking` imports the module conversations_ops.masking.
            found += [
                (node.lineno, f"{base}.{alias.name}" if base == "conversations_ops" else base) for alias in node.names
            ]
    return found


def product_files() -> list[Path]:
    return sorted(path for path in PRODUCT.rglob("*.py") if "migrations" not in path.parts)


def package_imports() -> dict[str, dict[str, list[str]]]:
    """unit -> imported unit -> ["file:line", ...] (imports within one unit left out)."""
    graph = defaultdict(lambda: defaultdict(list))
    for path in product_files():
        source = unit_of(module_name(path))
        for line, module in imported_modules(path):
            target = unit_of(module)
            if source and target and target != source:
                graph[source][target].append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def test_the_map_names_every_package_and_module_of_the_product():
    units = {unit_of(module_name(path)) for path in product_files()} - {None, "__init__"}
    rules = package_map()
    assert units - set(rules) == set(), "packages missing from the map in docs/architecture.md"
    assert set(rules) - units == set(), "the map names packages that do not exist"


def test_every_import_is_one_the_map_allows():
    rules, refused = package_map(), []
    for source, targets in package_imports().items():
        rule = rules.get(source, set())
        for target, places in targets.items():
            allowed = target not in rule[1] if isinstance(rule, tuple) else target in rule
            if not allowed:
                refused.append(f"{source} -> {target}: {', '.join(places)}")
    assert not refused, "imports the package map does not allow:\n" + "\n".join(sorted(refused))


def test_the_packages_import_each_other_in_one_direction():
    graph = {source: set(targets) for source, targets in package_imports().items()}
    state, cycles = {}, []

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles between packages:\n" + "\n".join(cycles)


def test_only_the_gateway_package_imports_twilio_rest():
    outside = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in product_files()
        for line, module in imported_modules(path)
        if module.startswith("twilio.rest") and unit_of(module_name(path)) != "twilio"
    ]
    assert not outside
    assert any(
        module.startswith("twilio.rest")
        for path in (PRODUCT / "twilio").rglob("*.py")
        for _, module in imported_modules(path)
    ), "the gateway no longer imports twilio.rest?"


@pytest.mark.parametrize(
    ("folder", "forbidden"), [("conversations_ops", "simulator"), ("simulator", "conversations_ops")]
)
def test_the_product_and_the_simulator_never_import_each_other(folder, forbidden):
    files = [path for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]
    crossing = [
        f"{path.relative_to(ROOT)}:{line} {module}"
        for path in files
        for line, module in imported_modules(path)
        if module.split(".")[0] == forbidden
    ]
    assert len(files) > 20 and not crossing


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """So that a passing run means something: both kinds are found and resolved."""
    probe = tmp_path / "probe.py"
    probe.write_text("from ..models import Message\n\ndef later():\n    from conversations_ops import admin\n")
    assert imported_modules(probe, here="conversations_ops.outbox.probe") == [
        (1, "conversations_ops.models"),
        (4, "conversations_ops.admin"),
    ]
