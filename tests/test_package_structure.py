"""The package's own structure (nbs/index.ipynb, "The package"): no import cycle between its modules, and no module
importing another module's underscore names. Both read the imports of `adios_nb/*.py` with `ast`, including the
imports inside functions."""
import ast
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
