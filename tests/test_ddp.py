"""Two processes (torchrun, gloo, CPU) on two halves of a batch take the same step as one process on the whole
batch: same losses, same gradients (to 1e-5). And the CLI trains under torchrun with only process 0 writing."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from adios_nb.config import parse_overrides

ROOT = Path(__file__).resolve().parents[1]
TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
LOSS_KEYS = ("loss", "ssl_loss", "classifier_loss", "occluder_objective", "penalty", "coverage_mean")

pytestmark = pytest.mark.skipif(TORCHRUN is None or not torch.distributed.is_available()
                                or not torch.distributed.is_gloo_available(),
                                reason="torchrun or torch.distributed's gloo backend is not available")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"  # two processes on a small machine
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def _torchrun(*args: str) -> list[str]:
    return [TORCHRUN, "--standalone", "--nproc_per_node", "2", *args]


def _single_process_step(out: Path, overrides: list[str]) -> None:
    "Run tests/ddp_step.py's step in this process (no process group): the reference."
    spec = importlib.util.spec_from_file_location("ddp_step", ROOT / "tests" / "ddp_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(out), parse_overrides(overrides))


# the paper's alternating step, and the fused min-max option (one backward pass for both players)
@pytest.mark.parametrize("overrides", [[], ["method.minmax=fused"]], ids=["alternating", "fused"])
def test_two_processes_take_the_same_step_as_one(tmp_path, overrides):
    _single_process_step(tmp_path / "single.pt", overrides)
    _run(_torchrun(str(ROOT / "tests" / "ddp_step.py"), str(tmp_path / "ddp.pt"), *overrides))
    single = torch.load(tmp_path / "single.pt", weights_only=True)
    ddp = torch.load(tmp_path / "ddp.pt", weights_only=True)
    assert (single["world_size"], ddp["world_size"]) == (1, 2)
    for key in LOSS_KEYS:
        if key in single["metrics"]:
            assert abs(single["metrics"][key] - ddp["metrics"][key]) < 1e-5, (key, single["metrics"][key],
                                                                               ddp["metrics"][key])
    assert single["updates"].keys() == ddp["updates"].keys()
    players = {"backbone.": 0, "occluder.": 0}
    for name, update in single["updates"].items():
        torch.testing.assert_close(ddp["updates"][name], update, atol=1e-5, rtol=0, msg=lambda m: f"{name}: {m}")
        for prefix in players:
            players[prefix] += name.startswith(prefix) and bool(update.abs().max() > 0)
    assert all(players.values()), f"both players must have moved: {players}"


def test_cli_under_torchrun_trains_and_only_rank_0_writes(tmp_path):
    run_dir = tmp_path / "run"
    _run(_torchrun("-m", "adios_nb.train", "--config", str(ROOT / "nbs" / "params" / "ci_pretrain.yaml"),
                   "--run-dir", str(run_dir), "train.device=cpu", "train.epochs=1"))
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "finished" and record["world_size"] == 2
    assert record["steps_per_epoch"] == 3  # 48 images, global batch 16 = 2 processes x 8
    assert sorted(p.name for p in run_dir.iterdir()) == [".lock", "config.yaml", "final.pt", "last.pt", "metrics.jsonl",
                                                         "run.json"]
    final = torch.load(run_dir / "final.pt", weights_only=True)
    assert final["global_step"] == 3
