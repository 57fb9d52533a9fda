"""The command line `python -m adios_nb.train` facing user errors: a bad config prints its message alone and exits
with 2; a process that waits on a run's lock says so and for which run; a full disk names the path; a finished
run loads from a read-only directory; a damaged checkpoint is named, with what to do, without a traceback."""
import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from adios_nb.config import load_config
from adios_nb.train import cli

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "nbs" / "params" / "ci_pretrain.yaml"
PREFIX = "python -m adios_nb.train: error: "


def _env() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adios_nb.train", "--config", str(CONFIG), *map(str, args)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    "The ci run, trained once through `cli` in this process."
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    assert cli(["--config", str(CONFIG), "--run-dir", str(run_dir), "train.device=cpu"]) == 0
    return run_dir


def test_config_error_prints_the_message_alone_and_exits_2(tmp_path):
    result = _cli("--run-dir", tmp_path / "run", "train.epochs=0")
    assert result.returncode == 2, result.stderr
    assert result.stderr == PREFIX + "train.epochs=0 is out of range: accepted values lie in [1, inf].\n"
    assert not (tmp_path / "run").exists()


def test_a_process_waiting_on_the_lock_says_for_which_run(tmp_path):
    import fcntl
    run_dir, log = tmp_path / "run", tmp_path / "stderr.txt"
    run_dir.mkdir()
    run_id = load_config(CONFIG).run_id
    with open(run_dir / ".lock", "a") as lock, open(log, "w") as stderr:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a process training the run holds it
        process = subprocess.Popen([sys.executable, "-m", "adios_nb.train", "--config", str(CONFIG), "--run-dir",
                                    str(run_dir)], cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 240
            while "Waiting" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert process.poll() is None, log.read_text()  # still waiting: it did not train past the lock
        finally:
            process.kill()
            process.wait(timeout=30)
    assert f"Waiting for run {run_id} in {run_dir}: another process holds its lock" in log.read_text()
    assert sorted(p.name for p in run_dir.iterdir()) == [".lock"]


def test_full_disk_names_the_path(tmp_path, monkeypatch, capsys):
    run_dir, save = tmp_path / "run", torch.save

    def disk_full(payload, file, *args, **kwargs):  # the run directory's disk is full (not the data cache's)
        if not str(getattr(file, "name", file)).startswith(str(run_dir)):
            return save(payload, file, *args, **kwargs)
        file.write(b"part of a checkpoint")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    code = cli(["--config", str(CONFIG), "--run-dir", str(run_dir), "train.device=cpu",
                "train.checkpoint_every_steps=1"])
    stderr = capsys.readouterr().err
    assert code == 1 and "Traceback" not in stderr
    assert stderr.startswith(PREFIX + f"No space left on device while writing {run_dir / 'last.pt'}"), stderr
    assert sorted(p.name for p in run_dir.iterdir()) == [".lock", "config.yaml", "run.json"]  # no partial file
    assert json.loads((run_dir / "run.json").read_text())["status"] == "failed"


def test_finished_run_loads_from_a_read_only_directory(finished_run, tmp_path):
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    for path in finished_run.iterdir():
        if path.name != ".lock":
            os.link(path, readonly / path.name)
    written = {p.name: p.stat().st_mtime_ns for p in readonly.iterdir()}
    readonly.chmod(0o555)  # (as root this does not stop writes: the check below, that nothing is written, does)
    try:
        result = _cli("--run-dir", readonly)
    finally:
        readonly.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert f"{load_config(CONFIG).run_id}: finished in {readonly}" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in readonly.iterdir()} == written  # no .lock, nothing rewritten


def test_damaged_last_checkpoint_is_named_without_a_traceback(finished_run, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.yaml", "run.json", "metrics.jsonl"):
        os.link(finished_run / name, broken / name)
    (broken / "last.pt").write_bytes((finished_run / "last.pt").read_bytes()[:1000])  # truncated, no final.pt
    result = _cli("--run-dir", broken)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(PREFIX + f"{broken / 'last.pt'} is damaged: it cannot be read as a checkpoint")
    assert f"delete {broken / 'last.pt'} to train run" in result.stderr
    assert json.loads((broken / "run.json").read_text())["status"] == "failed"
    assert json.loads((finished_run / "run.json").read_text())["status"] == "finished"  # the link was replaced
