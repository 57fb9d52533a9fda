"""IDAA through the trainer: a SimCLR + IDAA run (whose first step trains the VAE run) killed with SIGKILL mid-run
and started again ends with the same weights and metrics, bit for bit, as an uninterrupted run; so does Plain
with its memory bank and CLAE views. The VAE run is stored once, under its own id, and the SSL run's frozen VAE
holds exactly its weights."""
import json

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
