"""Project-level checks: nbdev settings the workflow depends on, and the papermill contract of paper notebooks."""
import ast
import configparser
import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPER_NOTEBOOKS = sorted((ROOT / "nbs").glob("reproduce_*.ipynb"))


def settings():
    parser = configparser.ConfigParser(delimiters=["="])
    parser.read(ROOT / "settings.ini")
    return parser["DEFAULT"]


def test_nbdev_settings_keep_papermill_tags_and_flags():
    cfg = settings()
    assert cfg["lib_name"] == "adios_nb"
    # without this nbdev_clean strips papermill's `parameters` tag and `-p` is silently ignored
    assert cfg["allowed_cell_metadata_keys"].split() == ["tags"]
    assert set(cfg["tst_flags"].split()) >= {"slow", "gpu"}
    dev = cfg["dev_requirements"].split()
    for pin in ("nbdev==2.4.14", "fastcore<2", "execnb<0.2", "ghapi<2"):
        assert pin in dev


def test_every_module_imports():
    for path in sorted((ROOT / "adios_nb").glob("*.py")):
        if not path.name.startswith("_"):
            importlib.import_module(f"adios_nb.{path.stem}")


@pytest.mark.parametrize("notebook", PAPER_NOTEBOOKS, ids=lambda p: p.name)
def test_paper_notebook_has_one_literal_parameters_cell(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    tagged = [c for c in cells if c["cell_type"] == "code" and "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{notebook.name}: papermill needs exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(tagged[0]["source"]))
    for statement in tree.body:
        assert isinstance(statement, (ast.Assign, ast.AnnAssign)), f"{notebook.name}: parameters hold assignments only"
        value = statement.value
        ast.literal_eval(value)  # raises if a parameter is computed rather than a literal
    # paper notebooks export nothing: logic lives in the package
    assert not any("#| default_exp" in "".join(c["source"]) for c in cells)


@pytest.mark.parametrize("notebook", PAPER_NOTEBOOKS, ids=lambda p: p.name)
def test_paper_notebook_has_small_and_paper_parameter_files(notebook):
    artefact = notebook.stem.removeprefix("reproduce_")
    for scale in ("small", "paper"):
        assert (ROOT / "nbs" / "params" / f"{artefact}_{scale}.yaml").is_file(), f"missing params for {artefact}"


@pytest.mark.parametrize("notebook", sorted((ROOT / "nbs").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_names_its_kernel(notebook):
    # papermill refuses a notebook without a kernelspec ("No kernel name found"); jupytext-made ones lack it
    kernelspec = json.loads(notebook.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{notebook.name} has no python3 kernelspec"
