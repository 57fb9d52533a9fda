"""The package's own structure (nbs/index.ipynb, "The package"): no import cycle between its modules, and no module
importing another module's underscore names. Both read the imports of `adios_nb/*.py` with `ast`, including the
imports inside functions."""
import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adios_nb"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "_modidx")


def package_imports(module: str):
    "(imported module, imported name or None) for every import of the package's own modules in `module`."
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "adios_nb":
                    yield (parts[1] if len(parts) > 1 else "__init__"), None
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                raise AssertionError(f"{module}: relative import beyond the package ({'.' * node.level}{node.module})")
            if node.level == 1:
                parts = node.module.split(".") if node.module else []
            elif node.module and node.module.split(".")[0] == "adios_nb":
                parts = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                if parts:
                    yield parts[0], alias.name
                elif alias.name in MODULES:  # from . import x / from adios_nb import x: the submodule x
                    yield alias.name, None
                else:
                    yield "__init__", alias.name


def import_graph() -> dict:
    return {module: {target for target, _ in package_imports(module) if target != module} for module in MODULES}


def find_cycle(graph: dict):
    "One import cycle of `graph` as a list of modules, or None."
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_graph_walker_sees_every_kind_of_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    graph = import_graph()
    assert {"methods", "optim", "config"} <= graph["train"]
    assert {"idaa", "sequential"} <= graph["__init__"]  # `from . import idaa, sequential`


def test_package_has_no_import_cycle():
    graph = import_graph()
    assert set(graph) >= {"config", "optim", "data", "methods", "sequential", "idaa", "train", "evaluate"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_evaluate_sits_below_methods_and_train():
    assert not {"methods", "train", "sequential", "idaa"} & import_graph()["evaluate"]


def test_no_module_imports_another_modules_private_names():
    private = [f"{module}: from {target} import {name}" for module in MODULES
               for target, name in package_imports(module)
               if name and name.startswith("_") and name != "__version__" and target != module]
    assert not private, "private names imported across modules (make them public and documented):\n" + "\n".join(private)


def notebook_numbers() -> dict:
    "module -> the number of the notebook it is exported from (`nbs/NN_name.ipynb` with `#| default_exp name`)."
    numbers = {}
    for path in (ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"):
        first = "".join(json.loads(path.read_text())["cells"][0]["source"])
        if first.startswith("#| default_exp "):
            numbers[first.split()[-1]] = int(path.name[:2])
    return numbers


def test_notebooks_are_numbered_in_import_order():
    "A module imports only modules whose notebooks come before its own (DESIGN's data-flow order)."
    numbers = notebook_numbers()
    assert set(numbers) == set(MODULES) - {"__init__"}, "every module has a numbered notebook"
    late = [f"{module} ({numbers[module]:02d}) imports {target} ({numbers[target]:02d})"
            for module, targets in import_graph().items() if module != "__init__"
            for target in targets if target != "__init__" and numbers[target] >= numbers[module]]
    assert not late, "renumber the notebooks so that imports point upwards:\n" + "\n".join(late)
