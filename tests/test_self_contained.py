"""The repository stands on its own: no file reads or points at anything outside it.

A clone placed anywhere must pass its own tests, and a reader must find every source a
comment cites: Twilio's OpenAPI files are vendored in vendor/twilio-oai/, the Twilio facts
the code relies on are in docs/twilio-reference.md with their public sources.
"""

import hashlib
import os
import re
import subprocess
from pathlib import Path

from tests.contract import openapi_spec

ROOT = Path(__file__).resolve().parents[1]

# What points outside the repository: the workspace folder next to it and the documents
# it held. Written in pieces so that this file, which is scanned too, does not match itself.
OUTSIDE = "sha" + "red"
FORBIDDEN = (
    "../" + OUTSIDE,
    "/work/" + OUTSIDE,
    OUTSIDE + "/twilio-oai",
    OUTSIDE + "/seeds",
    OUTSIDE + "/reference",
    "reference/" + "twilio-api.md",
    "DES" + "IGN.md",
)
FORBIDDEN_ANY_CASE = ("seed" + " 00",)  # a source document named by its number
PATTERN = re.compile("|".join([*map(re.escape, FORBIDDEN), *("(?i:" + re.escape(s) + ")" for s in FORBIDDEN_ANY_CASE)]))

SKIPPED_DIRS = {
    "vendor",
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "staticfiles",
}

# Files any scan must have seen, so that an empty or broken listing cannot pass.
MUST_SCAN = (
    "README.md",
    "docs/architecture.md",
    "docs/twilio-reference.md",
    "tests/contract/openapi_spec.py",
    "conversations_ops/webhooks/parsing.py",
    "tests/test_self_contained.py",
)
MIN_FILES = 200


def repository_files() -> list[str]:
    """Tracked files plus new ones git would add (not ignored); a plain walk in a copy without .git."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        if Path(top).resolve() != ROOT:
            raise FileNotFoundError(top)
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        names = sorted({name for name in listing.decode().split("\0") if name})
    except (OSError, subprocess.CalledProcessError):
        names = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            names += [(Path(folder) / name).relative_to(ROOT).as_posix() for name in files]
        names.sort()
    return [name for name in names if name.split("/")[0] not in SKIPPED_DIRS and (ROOT / name).is_file()]


def text_of(name: str) -> str | None:
    data = (ROOT / name).read_bytes()
    if b"\0" in data[:8192]:
        return None  # binary (screenshots, databases)
    return data.decode("utf-8", errors="replace")


def mentions(text: str) -> list[tuple[int, str]]:
    return [
        (number, match.group(0)) for number, line in enumerate(text.splitlines(), 1) for match in PATTERN.finditer(line)
    ]


def scan() -> tuple[list[str], list[str]]:
    scanned, hits = [], []
    for name in repository_files():
        text = text_of(name)
        if text is None:
            continue
        scanned.append(name)
        hits += [f"{name}:{number}: {found}" for number, found in mentions(text)]
    return scanned, hits


def test_the_pattern_catches_each_kind_of_outside_reference():
    samples = [f"see {word} for details" for word in FORBIDDEN] + ["the sandbox flow (Seed" + " 003)"]
    assert all(mentions(sample) for sample in samples)
    assert not mentions("shared token buckets on two shared cores; make run seeds the simulator")


def test_no_file_points_outside_the_repository():
    scanned, hits = scan()
    assert len(scanned) >= MIN_FILES, f"only {len(scanned)} text files scanned: is the listing broken?"
    assert set(MUST_SCAN) <= set(scanned), f"not scanned: {sorted(set(MUST_SCAN) - set(scanned))}"
    assert not hits, (
        "references outside the repository (say it inline with its public source, or point at "
        "docs/twilio-reference.md / vendor/twilio-oai/):\n" + "\n".join(hits)
    )


def test_openapi_specs_load_from_inside_the_repository(monkeypatch):
    monkeypatch.delenv("TWILIO_OAI_DIR", raising=False)
    folder = openapi_spec.spec_dir().resolve()
    assert folder == ROOT / "vendor" / "twilio-oai"
    for product, file_name in openapi_spec.SPEC_FILES.items():
        path = (folder / file_name).resolve()
        assert path.is_relative_to(ROOT) and path.is_file(), f"{product}: {path}"
    assert (folder / "LICENSE").is_file()


def test_twilio_oai_dir_still_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("TWILIO_OAI_DIR", str(tmp_path))
    assert openapi_spec.spec_dir() == tmp_path


def test_vendored_specs_are_the_files_their_readme_describes():
    folder = ROOT / "vendor" / "twilio-oai"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.MULTILINE))
    on_disk = {path.name for path in folder.iterdir() if path.name != "README.md"}
    assert set(recorded) == on_disk, "every vendored file is listed in vendor/twilio-oai/README.md, and only those"
    for name, digest in recorded.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{name} changed: update README"
