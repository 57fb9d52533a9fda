"""The README's main job, run exactly as written in a fresh clone of the repository (with the ci-scale parameters
injected after the README's own), so that the command a new user copies cannot break unnoticed again."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent


def readme_main_job(root: Path = ROOT) -> str:
    "The first shell command of the README's quick start: the one that regenerates Table 1."
    readme = (root / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    assert blocks, "README.md has no bash block"
    return blocks[0].strip()


def parameters_cell_defaults(notebook: Path) -> dict:
    "The literals of a notebook's `parameters` cell (its ci-scale defaults), evaluated."
    cells = json.loads(notebook.read_text())["cells"]
    source = next("".join(c["source"]) for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    defaults = {}
    exec(source, {}, defaults)
    return defaults


def test_readme_main_job_names_table1_small():
    command = readme_main_job()
    assert command.startswith("make install && ")
    assert "nbs/reproduce_table1.ipynb results/table1/" in command and "-f nbs/params/table1_small.yaml" in command


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
@pytest.mark.skipif(not (VENV / "bin" / "papermill").exists(), reason="papermill is not installed in this venv")
def test_readme_main_job_runs_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    # this environment stands in for the one `make install` would build: its stamp is newer than the clone's
    # install inputs, so `make install` has nothing to do (and never reinstalls this venv from the clone)
    (clone / ".venv").symlink_to(VENV, target_is_directory=True)
    for name in ("settings.ini", "setup.py", "constraints.txt"):
        os.utime(clone / name, (0, 0))
    ci = tmp_path / "ci.yaml"
    ci.write_text(yaml.safe_dump(parameters_cell_defaults(ROOT / "nbs" / "reproduce_table1.ipynb")))
    command = readme_main_job(clone) + f" -f {ci} --no-progress-bar"  # later -f files override earlier ones
    env = {**os.environ, "PYTHONPATH": str(clone), "OMP_NUM_THREADS": "1"}
    env.pop("ADIOS_NB_RESULTS", None)
    result = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    executed = json.loads((clone / "results" / "table1" / "reproduce_table1.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"]["scale"] == "ci"
    assert (clone / "results" / "_ci" / "table1" / "table.csv").exists()  # a ci run never overwrites results/table1
