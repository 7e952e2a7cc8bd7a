"""The engine package stays Django-free and keeps its private names to itself."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "assessments" / "engine"
MODULES = sorted(f"assessments.engine.{p.stem}" for p in ENGINE.glob("*.py") if p.stem != "__init__")

# Run in a fresh interpreter where importing Django fails, so no engine module can lean on it, directly or
# through anything it imports.
NO_DJANGO = """
import importlib, sys

class NoDjango:
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError(f"django is not importable here: {name}")
        return None

sys.meta_path.insert(0, NoDjango())
for name in ["assessments.engine", *sys.argv[1:]]:
    importlib.import_module(name)
assert not [m for m in sys.modules if m == "django" or m.startswith("django.")]
print("ok", len(sys.argv) - 1)
"""


def test_there_are_engine_modules_to_check():
    assert "assessments.engine.scoring" in MODULES and "assessments.engine.answers" in MODULES


def test_every_engine_module_imports_without_django():
    done = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, *MODULES], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok {len(MODULES)}"


def _imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Import | ast.ImportFrom)]


def test_no_engine_module_names_django():
    for path in ENGINE.glob("*.py"):
        for node in _imports(path):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_nothing_imports_a_private_name_of_the_engine():
    python_files = [p for d in ("assessments", "bench", "deploy", "tests") for p in (ROOT / d).rglob("*.py")]
    for path in python_files:
        for node in _imports(path):
            if isinstance(node, ast.ImportFrom) and "engine" in (node.module or ""):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, (path, private)
