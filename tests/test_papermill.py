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
    assert set(table["method"]) == {"byol"}  # the injected value was used, not the default three methods
    assert set(table["masking"]) == {"none", "adios"} and set(table["eval"]) == {"knn", "linear"}
    # the kernel ran this environment's interpreter (run.json records it)
    runs = json.loads((tmp_path / "results" / "_ci" / "table1" / "runs.json").read_text())["runs"]
    assert runs and all(Path(r["record"]["executable"]).parent == Path(sys.executable).parent for r in runs)
