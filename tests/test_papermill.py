"""End to end through papermill, as the README runs a paper notebook: the `parameters` cell must survive
nbdev_clean (or papermill silently ignores `-p`), the kernel must be this environment's Python, and the
artefact must be written where the notebook says."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / "papermill"


@pytest.mark.skipif(not PAPERMILL.exists(), reason="papermill is not installed beside this Python")
def test_table1_runs_through_papermill_with_injected_parameters(tmp_path):
    output = tmp_path / "reproduce_table1.ipynb"
    env = {**os.environ, "ADIOS_NB_RESULTS": str(tmp_path / "results"), "OMP_NUM_THREADS": "1"}
    # the ci-scale defaults, narrowed by injected parameters: one method instead of three
    subprocess.run([str(PAPERMILL), "nbs/reproduce_table1.ipynb", str(output), "-p", "scale", "ci",
                    "-y", "methods: [byol]", "--cwd", "nbs", "--no-progress-bar"],
                   cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600)
    executed = json.loads(output.read_text())
    assert executed["metadata"]["papermill"]["parameters"] == {"scale": "ci", "methods": ["byol"]}
    table = pd.read_csv(tmp_path / "results" / "_ci" / "table1" / "table.csv")
    # the injected value was used, not the default three methods (beside the untrained reference row)
    assert set(table["method"]) == {"byol", "random init"}
    assert set(table["masking"]) == {"none", "adios"} and set(table["eval"]) == {"knn", "linear"}
    # the kernel ran this environment's interpreter (run.json records it)
    runs = json.loads((tmp_path / "results" / "_ci" / "table1" / "runs.json").read_text())["runs"]
    assert runs and all(Path(r["record"]["executable"]).parent == Path(sys.executable).parent for r in runs)


# ------------------------------------------------------------------ parameters are checked before any work starts
NBS = ROOT / "nbs"


def _parameters_cell_index(cells) -> int:
    return next(i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", []))


def test_every_paper_notebook_checks_its_parameters_right_after_the_parameters_cell():
    notebooks = sorted(NBS.glob("reproduce_*.ipynb"))
    assert len(notebooks) >= 18
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        following = "".join(cells[_parameters_cell_index(cells) + 1]["source"])
        assert "check_parameters(globals())" in following, path.name


def test_every_parameter_file_passes_the_check_of_its_notebook():
    import yaml
    from adios_nb.report import literal_assignments, validate_parameters
    files = sorted((NBS / "params").glob("*.yaml"))
    checked = 0
    for path in files:
        notebook = NBS / f"reproduce_{path.stem.rsplit('_', 1)[0]}.ipynb"
        if not notebook.is_file():  # the configs of single runs (ci_pretrain, benchmark_*)
            continue
        cells = json.loads(notebook.read_text())["cells"]
        defaults = literal_assignments("".join(cells[_parameters_cell_index(cells)]["source"]))
        validate_parameters(defaults, yaml.safe_load(path.read_text()))
        checked += 1
    assert checked >= 36


@pytest.mark.skipif(not PAPERMILL.exists(), reason="papermill is not installed beside this Python")
@pytest.mark.parametrize("arguments, message", [
    (["-p", "sedds", "3"], "Unknown parameter 'sedds' (given to papermill with -p, -y or -f). Did you mean 'seeds'? "
                           "Accepted parameters: scale, seeds, datasets, backbones, methods"),
    (["-p", "seeds", "3"], "Parameter 'seeds' must be a list, like its default [0]; got 3 (int)."),
    (["-p", "scale", "smal"], "Parameter 'scale'='smal' is not accepted. Did you mean 'small'? Accepted: ci, small, "
                              "paper."),
])
def test_bad_papermill_parameters_fail_before_any_work(tmp_path, arguments, message):
    output = tmp_path / "reproduce_table1.ipynb"
    env = {**os.environ, "ADIOS_NB_RESULTS": str(tmp_path / "results"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([str(PAPERMILL), "nbs/reproduce_table1.ipynb", str(output), *arguments, "--cwd", "nbs",
                             "--no-progress-bar"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "ParameterError" in result.stderr and message in result.stderr, result.stderr[-3000:]
    cells = json.loads(output.read_text())["cells"]
    failed = [i for i, c in enumerate(cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and "check_parameters(globals())" in "".join(cells[failed[0]]["source"])
    notebook_cells = [i for i, c in enumerate(cells)  # without papermill's error banners
                      if not any(t.startswith("papermill-error") for t in c["metadata"].get("tags", []))]
    injected = next(i for i in notebook_cells if "injected-parameters" in cells[i]["metadata"].get("tags", []))
    assert notebook_cells[notebook_cells.index(injected) + 1] == failed[0]  # the cell right after the injected one
    assert not (tmp_path / "results").exists()  # nothing trained, evaluated or written
