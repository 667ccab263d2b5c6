"""docs/fidelity.md stays true: every test it names exists, every rule names its source.

The ledger is where a maintainer learns which Twilio rules the simulator reproduces and
which tests hold both sides to them; a row pointing at a renamed or deleted test would
make a rule look covered when it is not.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEDGER = ROOT / "docs" / "fidelity.md"
HEADER = ["Rule", "Source", "Simulator test", "Console test"]
# A source is a page (Twilio's or Meta's), an error code, or the vendored OpenAPI.
SOURCE = re.compile(r"https://|vendor/twilio-oai/|\berror \d{5}\b|\b\d{5}\b")
# The ledger only grows: removing a row means the rule moved, so move it, do not drop it.
MIN_ROWS = 65


def ledger_rows() -> list[tuple[str, list[str]]]:
    """(section, cells) for every data row of every ledger table."""
    rows, section, header = [], "", None
    for line in LEDGER.read_text().splitlines():
        if line.startswith("## "):
            section, header = line[3:].strip(), None
            continue
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            assert header == HEADER, f"{section}: a ledger table has the columns {HEADER}, not {cells}"
        elif not set("".join(cells)) <= set("-: "):
            rows.append((section, cells))
    return rows


def defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def named_tests(cell: str) -> list[str]:
    return [ref.strip(" `") for ref in cell.split(",") if ref.strip(" `")]


ROWS = ledger_rows()


def test_the_ledger_has_its_rows_and_its_not_modelled_list():
    assert len(ROWS) >= MIN_ROWS
    not_modelled = LEDGER.read_text().split("## Not modelled", 1)[1]
    assert not_modelled.count("\n- **") >= 30, "each thing the simulator does not model is a bullet"


@pytest.mark.parametrize(("section", "cells"), ROWS, ids=[f"{s}: {c[0][:50]}" for s, c in ROWS])
def test_each_row_names_a_source_and_existing_tests(section, cells):
    assert len(cells) == 4, f"{section}: a row has four cells: {cells}"
    rule, source, simulator_tests, console_tests = cells
    assert rule, f"{section}: a row without its rule"
    assert SOURCE.search(source), f"{section} / {rule}: the source names no page, error code or OpenAPI file"
    for column, cell in (("simulator", simulator_tests), ("console", console_tests)):
        refs = named_tests(cell)
        assert refs, f"{section} / {rule}: no {column} test named"
        for ref in refs:
            path, _, names = ref.partition("::")
            file = ROOT / path
            assert path.startswith("tests/") and file.is_file(), f"{rule}: {ref}: no such test file"
            defined = defined_names(file)
            for name in names.split("::"):
                assert name in defined, f"{rule}: {ref}: {name} is not defined in {path}"
