"""The fresh-install check: every third-party module that the package or a notebook imports is declared in
settings.ini (so `pip install -e .[dev]` on a new machine brings it), and the installed package carries its data."""
import ast
import configparser
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# import name -> distribution name, where they differ
DISTRIBUTION = {"sklearn": "scikit-learn", "yaml": "pyyaml", "PIL": "pillow", "IPython": "ipykernel"}
DEV_ONLY = {"fastcore", "nbdev", "pytest"}  # used by the notebooks' tests, installed by the [dev] extra


def requirements(key: str) -> set:
    parser = configparser.ConfigParser(delimiters=["="])
    parser.read(ROOT / "settings.ini")
    names = parser["DEFAULT"][key].split()
    return {name.split("=")[0].split("<")[0].split(">")[0].lower() for name in names}


def third_party_imports(source: str) -> set:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in ("adios_nb", "__future__")}


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            lines += [l for l in "".join(cell["source"]).splitlines() if not l.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def test_package_imports_are_runtime_requirements():
    declared = requirements("requirements")
    for path in sorted((ROOT / "adios_nb").glob("*.py")):
        for module in third_party_imports(path.read_text()):
            assert DISTRIBUTION.get(module, module).lower() in declared, \
                f"adios_nb/{path.name} imports {module}, which settings.ini's requirements do not declare"


def test_notebook_imports_are_declared():
    declared = requirements("requirements") | requirements("dev_requirements")
    for path in sorted((ROOT / "nbs").glob("*.ipynb")):
        for module in third_party_imports(notebook_code(path)):
            name = DISTRIBUTION.get(module, module).lower()
            assert name in declared or module in DEV_ONLY and module in declared, \
                f"{path.name} imports {module}, which settings.ini does not declare"


def test_paper_numbers_ship_with_the_package():
    import adios_nb
    csvs = list((Path(adios_nb.__file__).parent / "paper").glob("*.csv"))
    assert len(csvs) >= 7
    parser = configparser.ConfigParser(delimiters=["="])
    parser.read(ROOT / "settings.ini")
    assert "paper/*.csv" in parser["DEFAULT"]["package_data"].split()
