"""Kill-and-resume: a pre-training process killed with SIGKILL mid-run and started again with the same command
ends with the same final weights, bit for bit, as an uninterrupted run (CPU), and with the same metrics."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from adios_nb.config import load_config, parse_overrides
from adios_nb.train import pretrain

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "nbs" / "params" / "ci_pretrain.yaml"
TIMEOUT_S = 300


COMMON = ["train.device=cpu", "train.checkpoint_every_steps=1"]


def _command(run_dir: Path, overrides: list[str]) -> list[str]:
    return [sys.executable, "-m", "adios_nb.train", "--config", str(CONFIG), "--run-dir", str(run_dir),
            *COMMON, *overrides]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _train(run_dir: Path, overrides: list[str]) -> None:
    result = subprocess.run(_command(run_dir, overrides), cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=TIMEOUT_S)
    assert result.returncode == 0, f"training failed:\n{result.stdout}\n{result.stderr}"


def _train_and_kill(run_dir: Path, overrides: list[str], after_step: int) -> int:
    """Start training, SIGKILL it as soon as `last.pt` holds step `after_step` or later; return that step."""
    process = subprocess.Popen(_command(run_dir, overrides), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    last, seen_mtime, deadline = run_dir / "last.pt", None, time.monotonic() + TIMEOUT_S
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if last.is_file() and last.stat().st_mtime_ns != seen_mtime:
                seen_mtime = last.stat().st_mtime_ns
                step = torch.load(last, weights_only=True, map_location="cpu")["global_step"]
                if step >= after_step:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=30)
                    return step
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    pytest.fail(f"the run ended (return code {process.returncode}) before it could be killed after step "
                f"{after_step}:\n{process.stderr.read() if process.stderr else ''}")


def _metrics(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if k != "time_s"} for row in rows]


@pytest.mark.parametrize("name, overrides, kill_after", [
    ("simclr_adios", [], 4),  # 3 steps per epoch: killed in the middle of the second epoch
    # BYOL's EMA copies and ADIOS-s's per-step slot draws must continue exactly too (one epoch, killed mid-way)
    ("byol_adios_s", ["method.name=byol", "method.masking=adios_s", "train.epochs=1", "model.output_dim=32",
                      "model.pred_hidden_dim=32"], 2),
])
def test_kill_and_resume_is_bitwise_identical(tmp_path, name, overrides, kill_after):
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    # the uninterrupted run, in this process (same machine, same thread count as the subprocesses)
    pretrain(load_config(CONFIG, **parse_overrides(COMMON + overrides)), reference, progress=False)
    killed_at = _train_and_kill(resumed, overrides, kill_after)
    assert not (resumed / "final.pt").exists()
    _train(resumed, overrides)  # the same command again: resumes from last.pt

    record = json.loads((resumed / "run.json").read_text())
    assert record["status"] == "finished" and len(record["sessions"]) == 2
    assert record["sessions"][1]["resumed_from_step"] >= killed_at
    expected = torch.load(reference / "final.pt", weights_only=True)
    actual = torch.load(resumed / "final.pt", weights_only=True)
    assert expected["method"].keys() == actual["method"].keys()
    different = [k for k, v in expected["method"].items() if not torch.equal(v, actual["method"][k])]
    assert not different, f"{name}: {len(different)} tensors differ after resume, e.g. {different[:5]}"
    assert _metrics(reference) == _metrics(resumed)
