"""The dry run of the GLS/NLS image notebook (issue #16): `reproduce_gls_cifar` with `-p dry_run True` builds every
run of its paper scale (`gls_cifar_paper.yaml`: the official ResNet-34 with the CIFAR stem, the CE warm-up shared by
every smooth rate, GLS fine-tuning) at its real size, steps it on random CIFAR-shaped data, hands the warm-up's
state to each smooth rate, evaluates and stops before anything trains. The UCI notebooks have no dry run: their
paper scale runs in minutes on a CPU (see `nbs/16_label_noise.ipynb`)."""
import json

import pytest
import yaml

from adios_nb.label_noise import OFFICIAL_SCHEDULES, NineLayerCNN, stop_after_gls_dry_run
from adios_nb.train import DryRunError, DryRunFinished
from paper_runs import NBS

RESNET34_CIFAR_PARAMS = 21_282_122  # torchvision ResNet-34, 3x3 stride-1 stem, no max-pool, 10 classes


def notebook_dry_run(artefact: str, scale: str = "paper", changes: dict = None):
    "Run `reproduce_<artefact>`'s code cells as papermill would with `-p dry_run True`; the `DryRunFinished` raised."
    cells = [c for c in json.loads((NBS / f"reproduce_{artefact}.ipynb").read_text())["cells"]
             if c["cell_type"] == "code"]
    start = next(i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    namespace = {"__name__": f"reproduce_{artefact}"}
    exec("".join(cells[start]["source"]), namespace)
    if scale != "ci":
        namespace.update(yaml.safe_load((NBS / "params" / f"{artefact}_{scale}.yaml").read_text()))
    namespace.update({**(changes or {}), "dry_run": True})
    for cell in cells[start + 1:]:
        try:
            exec("".join(cell["source"]), namespace)
        except DryRunFinished as finished:
            return finished
    raise AssertionError(f"reproduce_{artefact} ran to its end with dry_run=True")


def test_gls_cifar_paper_scale_dry_runs_on_the_cpu():
    "Two of the paper's smooth rates at its highest noise rate: the real ResNet-34 and the official schedules."
    finished = notebook_dry_run("gls_cifar", changes={"noise_rates": [0.6], "smooth_rates": [0.0, -8.0],
                                                      "num_threads": 1})  # device "cuda": the CPU without a GPU
    report = finished.report
    print(report.T.to_string())
    assert "the dry run of 1 runs passed" in str(finished)
    row = report.iloc[0]
    assert (row["status"], row["name"], row["model"]) == ("ok", "gls_cifar/cifar10/resnet34/noise=0.6/seed=0", "ResNet")
    assert row["params_total"] == RESNET34_CIFAR_PARAMS and row["params_heads"] == 512 * 10 + 10
    assert row["steps"] == 2 * 3  # the warm-up and each smooth rate's fine-tuning, two steps each
    assert (row["epochs"], row["batch_size"], row["selection"]) == (120 + 2 * 100, 128, "best_test")
    assert row["step_s"] > 0 and row["cpu_step_s"] > 0 and row["peak_rss_gib"] > 0 and row["state_mib"] > 80


def test_gls_cifar_declares_one_dry_run_per_seed_and_noise_rate():
    "The whole paper grid is declared (3 noise rates x 14 smooth rates); a tiny model stands in to keep this cheap."
    import adios_nb.label_noise as label_noise
    from unittest import mock

    def tiny_run(build_model, n_classes, smooth_rates, **kwargs):
        return {"name": kwargs["name"], "noise_rate": kwargs["noise_rate"], "rates": len(smooth_rates),
                "n_classes": n_classes, "status": "ok", "model": "", "params_backbone": 0, "params_heads": 0,
                "params_total": 0, "step_s": 0.0, "cpu_step_s": 0.0, "mean_gls_step_s": 0.0, "state_mib": 0.0,
                "peak_rss_gib": 0.0, "epochs": 0}

    with mock.patch.object(label_noise, "gls_dry_run", tiny_run):
        report = notebook_dry_run("gls_cifar", changes={"num_threads": 1}).report
    assert list(report["noise_rate"]) == [0.2, 0.4, 0.6] and set(report["rates"]) == {14}
    assert set(report["n_classes"]) == {10}


def test_a_gls_run_that_cannot_train_fails_the_dry_run():
    "A model with fewer outputs than the data's classes: the failure names the run."
    with pytest.raises(DryRunError, match="tiny/wrong"):
        stop_after_gls_dry_run([dict(name="tiny/wrong", noise_rate=0.4)], "tiny",
                               build_model=lambda n: NineLayerCNN(n - 5, width=0.0625), n_classes=10,
                               smooth_rates=[0.0], protocol="warmup_gls", direct=OFFICIAL_SCHEDULES["direct"],
                               warmup=OFFICIAL_SCHEDULES["warmup"], finetune=OFFICIAL_SCHEDULES["finetune"])
