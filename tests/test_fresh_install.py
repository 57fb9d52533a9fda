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
    # the official hyperparameters the paper-scale parameter files are checked against (tests/test_paper_params.py)
    assert (Path(adios_nb.__file__).parent / "paper" / "official_hparams.yaml").is_file()
    assert "paper/*.yaml" in parser["DEFAULT"]["package_data"].split()


def _pins() -> dict:
    "constraints.txt as {normalised name: version}."
    from packaging.utils import canonicalize_name
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _installed_closure(roots) -> dict:
    "Every distribution that `roots` need in this environment (transitively, markers evaluated), with its version."
    from importlib import metadata
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    found, todo = {}, [(root, ()) for root in roots]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in found and not extras:
            continue
        dist = metadata.distribution(name)
        found[key] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (extras or ("",))):
                if canonicalize_name(req.name) not in found:
                    todo.append((req.name, tuple(req.extras)))
    return found


def test_installed_set_is_the_locked_set():
    "`make install` applies constraints.txt: every package the project pulls in is pinned, at the installed version."
    from packaging.utils import canonicalize_name
    pins = _pins()
    installed = _installed_closure(["adios_nb"] + sorted(requirements("dev_requirements")))
    installed.pop(canonicalize_name("adios_nb"))
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"installed but not pinned in constraints.txt (run 'make lock'): {unpinned}"
    moved = {name: (version, pins[name]) for name, version in installed.items() if version != pins[name]}
    assert not moved, f"installed version differs from constraints.txt (installed, pinned): {moved}"


def test_makefile_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    assert "CONSTRAINTS ?= constraints.txt" in makefile and "-c $(CONSTRAINTS)" in makefile
