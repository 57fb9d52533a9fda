"""Two processes asking for the same run at once (parallel notebooks sharing runs): one trains, the other waits
and loads the finished run; both succeed and the run is trained once."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def test_concurrent_pretrain_of_one_run_trains_it_once(tmp_path):
    command = [sys.executable, "-m", "adios_nb.train", "--config", str(ROOT / "nbs" / "params" / "ci_pretrain.yaml"),
               "--run-dir", str(tmp_path / "run")]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["status"] == "finished" and len(record["sessions"]) == 1  # trained by one process only
    final = torch.load(tmp_path / "run" / "final.pt", weights_only=True)
    assert final["global_step"] == record["global_step"] > 0
