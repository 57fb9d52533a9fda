"""IDAA through the trainer: a SimCLR + IDAA run (whose first step trains the VAE run) killed with SIGKILL mid-run
and started again ends with the same weights and metrics, bit for bit, as an uninterrupted run; so does Plain
with its memory bank and CLAE views. The VAE run is stored once, under its own id, and the SSL run's frozen VAE
holds exactly its weights."""
import json
import os
from pathlib import Path

import pytest
import torch

from adios_nb.config import load_config, parse_overrides
from adios_nb.idaa import vae_config
from adios_nb.train import Run, pretrain
from test_resume import COMMON, CONFIG, _metrics, _train, _train_and_kill

IDAA = ["method.masking=none", "method.vae_dim=16", "method.vae_width=16", "method.vae_epochs=1",
        "method.vae_batch_size=16", "eval.knn_monitor=true", "eval.knn_ks=[5]", "eval.knn_temperatures=[0.1]"]


@pytest.mark.parametrize("name, overrides, kill_after", [
    ("simclr_idaa", IDAA + ["method.augmentation=idaa"], 4),  # 3 steps per epoch: killed in the second epoch
    ("plain_memory_clae", IDAA + ["method.name=plain", "method.augmentation=clae", "train.epochs=1"], 2),
])
def test_kill_and_resume_is_bitwise_identical(tmp_path, monkeypatch, name, overrides, kill_after):
    monkeypatch.setenv("ADIOS_NB_RESULTS", str(tmp_path / "results"))  # the VAE run's store (also for subprocesses)
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    cfg = load_config(CONFIG, **parse_overrides(COMMON + overrides))
    pretrain(cfg, reference, progress=False)
    killed_at = _train_and_kill(resumed, overrides, kill_after)
    assert not (resumed / "final.pt").exists()
    _train(resumed, overrides)

    record = json.loads((resumed / "run.json").read_text())
    assert record["status"] == "finished" and len(record["sessions"]) == 2
    assert record["sessions"][1]["resumed_from_step"] >= killed_at
    expected = torch.load(reference / "final.pt", weights_only=True)["method"]
    actual = torch.load(resumed / "final.pt", weights_only=True)["method"]
    assert expected.keys() == actual.keys()
    different = [k for k, v in expected.items() if not torch.equal(v, actual[k])]
    assert not different, f"{name}: {len(different)} tensors differ after resume, e.g. {different[:5]}"
    assert _metrics(reference) == _metrics(resumed)
    assert all(row["knn_monitor_top1"] is not None for row in _metrics(reference))

    if cfg.method.augmentation == "idaa":
        runs = sorted(p.name for p in (tmp_path / "results" / "runs").iterdir())
        assert runs == [vae_config(cfg).run_id]  # one VAE run, shared by both SSL runs
        vae = Run.load(tmp_path / "results" / "runs" / runs[0]).method.vae.state_dict()
        assert all(torch.equal(v, expected[f"vae.{k}"]) for k, v in vae.items())
    else:
        assert "memory_bank" in expected and not torch.equal(expected["memory_bank"][0], torch.zeros(16))


def test_idaa_step_under_torchrun_equals_one_process(tmp_path, monkeypatch):
    """Two processes on the halves of a batch take the same IDAA step as one process (tests/ddp_step.py's setting:
    ViT-Tiny, so no BatchNorm depends on the split; the attack's NT-Xent gathers negatives across processes)."""
    import importlib.util
    import shutil
    import subprocess
    import sys
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
    if torchrun is None or not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("torchrun or gloo is not available")
    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("ADIOS_NB_RESULTS", str(tmp_path / "results"))  # the VAE run, trained once, loaded by all
    overrides = ["method.masking=none", "method.augmentation=idaa", "method.vae_dim=8", "method.vae_width=8",
                 "method.vae_epochs=1", "method.vae_batch_size=16"]
    spec = importlib.util.spec_from_file_location("ddp_step", root / "tests" / "ddp_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(tmp_path / "single.pt"), parse_overrides(overrides))  # trains the VAE run first, then steps
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    result = subprocess.run([torchrun, "--standalone", "--nproc_per_node", "2", str(root / "tests" / "ddp_step.py"),
                             str(tmp_path / "ddp.pt"), *overrides], cwd=root, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    single, ddp = (torch.load(tmp_path / f"{n}.pt", weights_only=True) for n in ("single", "ddp"))
    assert (single["world_size"], ddp["world_size"]) == (1, 2)
    for key in ("loss", "clean_loss", "adv_loss", "classifier_loss"):
        assert abs(single["metrics"][key] - ddp["metrics"][key]) < 1e-5, (key, single["metrics"][key],
                                                                           ddp["metrics"][key])
    for name, update in single["updates"].items():
        torch.testing.assert_close(ddp["updates"][name], update, atol=1e-5, rtol=0, msg=lambda m: f"{name}: {m}")
