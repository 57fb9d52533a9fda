"""The paper-scale dry run (adios_nb.train.dry_run, issue #16): every run of every paper notebook is declared at the
paper scale without error, a covering subset of them (each dataset, backbone, method, masking and augmentation at
least once, below 224 px) is built at its real sizes, stepped on random data, checkpointed, resumed and evaluated
on the CPU, and a wrong paper configuration fails. The exhaustive version (one run per distinct combination,
224-px runs included) is marked `slow` (`pytest --run-slow tests/test_dry_run.py`)."""
import copy
import time

import pytest

from adios_nb.config import ConfigError
from adios_nb.train import DryRunError, cli, dry_run, dry_run_summary, with_dependencies
from paper_runs import NBS, SSL_ARTEFACTS, notebook_configs, parameters

# The occluder's parameters (U-Net + head) of each official ADIOS script, computed from the architecture of
# YugeTen/adios@21c6f23 src/utils/unet.py (conv + norm affine, the MLP bottleneck, the 1x1 head): the developers'
# table, also checked against UNetOccluder in nbs/07_occluders.ipynb.
OFFICIAL_OCCLUDER_PARAMS = {
    "stl10/resnet18/simclr": 7_554_182, "stl10/resnet18/byol": 2_495_174, "stl10/resnet18/simsiam": 933_350,
    "stl10/vit_tiny/simclr": 933_284, "stl10/vit_tiny/byol": 933_350, "stl10/vit_tiny/simsiam": 1_275_574,
    "imagenet100s/resnet18/simclr": 933_284, "imagenet100s/resnet18/byol": 394_358,
    "imagenet100s/resnet18/simsiam": 1_275_540, "imagenet100s/vit_tiny/simclr": 394_358,
    "imagenet100s/vit_tiny/byol": 185_342, "imagenet100s/vit_tiny/simsiam": 1_275_540,
    "imagenet100/resnet18/simclr": 240_540, "imagenet100/resnet18/byol": 1_174_950,
    "imagenet100/resnet18/simsiam": 13_208_612,
}
BACKBONE_GFLOPS_224 = {"resnet18": 1.8, "resnet50": 4.1, "vit_tiny": 1.3, "resnet18_cifar": 1.8 * 49, "convnet": 0.01}
COVERED = ("dataset", "backbone", "method", "masking", "augmentation")


@pytest.fixture(scope="module")
def paper_configs() -> dict:
    "{artefact: the configs its notebook builds at the paper scale, with the VAE runs IDAA needs}."
    return {artefact: with_dependencies(notebook_configs(artefact, "paper")) for artefact in SSL_ARTEFACTS}


def combination(cfg) -> tuple:
    return (cfg.data.dataset, cfg.model.backbone, cfg.method.name, cfg.method.masking, cfg.method.augmentation)


def distinct_runs(paper_configs) -> list:
    "One run (the first declared) per distinct (dataset, backbone, method, masking, augmentation) of all notebooks."
    chosen = {}
    for configs in paper_configs.values():
        for cfg in configs:
            chosen.setdefault(combination(cfg), cfg)
    return list(chosen.values())


def relative_cost(cfg) -> float:
    "A rough CPU cost of a dry run: the backbone's multiply-adds at the run's size, times the views it encodes."
    passes = 2 + (cfg.method.n_masks if cfg.method.masking in ("adios", "sequential") else 1) \
        + (2 if cfg.method.augmentation != "none" else 0)
    return BACKBONE_GFLOPS_224[cfg.model.backbone] * (cfg.img_size / 224) ** 2 * passes


def covering_subset(runs, max_img_size: int = 128) -> list:
    "A few cheap runs that together hold every dataset, backbone, method, masking and augmentation of `runs`."
    runs = [cfg for cfg in runs if cfg.img_size <= max_img_size]
    values = lambda cfg: {(name, value) for name, value in zip(COVERED, combination(cfg))}
    missing, chosen = set().union(*(values(cfg) for cfg in runs)), []
    while missing:
        best = max(runs, key=lambda cfg: len(values(cfg) & missing) / relative_cost(cfg))
        chosen.append(best)
        missing -= values(best)
    return chosen


def test_every_paper_notebook_declares_valid_runs(paper_configs):
    counts = {artefact: len(configs) for artefact, configs in paper_configs.items()}
    assert all(counts.values()), counts
    assert counts["table1"] == 72 and counts["table7"] == 72, counts  # 2 x 2 x 3 x 2 x 3 seeds; 3 x 8 x 3 seeds
    runs = distinct_runs(paper_configs)
    # the 224-px runs (ImageNet-100 ADIOS-s, ImageNet SimSiam) are declared too; the CI subset leaves them out
    assert {("imagenet100", "resnet18"), ("imagenet", "resnet50")} <= {c[:2] for c in map(combination, runs)}


def test_covering_subset_dry_runs_on_the_cpu(paper_configs):
    eligible = [cfg for cfg in distinct_runs(paper_configs) if cfg.img_size <= 128]
    subset = covering_subset(eligible)
    start = time.perf_counter()
    report = dry_run(subset, batch_size=2, progress=False)
    elapsed = time.perf_counter() - start
    print(report[["name", "img_size", "params_total", "params_occluder", "step_s", "peak_rss_gib"]].to_string())
    print(f"{len(subset)} runs in {elapsed:.0f} s")
    assert (report["status"] == "ok").all()
    values = lambda configs: {(name, value) for cfg in configs for name, value in zip(COVERED, combination(cfg))}
    assert values(subset) == values(eligible)  # every dataset, backbone, method, masking, augmentation below 224 px
    for row in report.itertuples():  # the occluders of the official scripts have the official size
        key = f"{row.dataset}/{row.backbone}/{row.method}"
        if row.masking in ("adios", "adios_s") and row.name.startswith(("table1/", "table2/")) \
                and key in OFFICIAL_OCCLUDER_PARAMS:
            assert row.params_occluder == OFFICIAL_OCCLUDER_PARAMS[key], key
    assert set(dry_run_summary(report)["runs"]) and report["peak_rss_gib"].gt(0).all()
    assert report["cpu_step_s"].gt(0).all()  # process CPU seconds beside the wall seconds


def test_occluders_of_the_official_scripts_have_the_official_size(paper_configs):
    "Built, not stepped: every ADIOS / ADIOS-s occluder of Tables 1 and 2 at its real size."
    from adios_nb.occluders import UNetOccluder
    seen = set()
    for cfg in paper_configs["table1"] + paper_configs["table2"]:
        key = f"{cfg.data.dataset}/{cfg.model.backbone}/{cfg.method.name}"
        if cfg.method.masking in ("adios", "adios_s") and key not in seen:
            seen.add(key)
            me = cfg.method
            occluder = UNetOccluder(cfg.img_size, me.n_masks, base_channels=me.mask_fbase, norm=me.unet_norm,
                                    num_blocks=me.num_blocks)
            assert sum(p.numel() for p in occluder.parameters()) == OFFICIAL_OCCLUDER_PARAMS[key], key
    assert seen == set(OFFICIAL_OCCLUDER_PARAMS)


def test_a_wrong_key_in_a_paper_file_fails_before_anything_runs():
    hparams = copy.deepcopy(parameters("table1", "paper")["hparams"])
    script = hparams["stl10/resnet18/simclr"]
    script["optim.mask_lrr"] = script.pop("optim.mask_lr")  # a typo only the paper file has
    with pytest.raises(ConfigError, match="Did you mean 'optim.mask_lr'"):
        notebook_configs("table1", "paper", changes={"hparams": hparams})


def test_a_paper_config_that_cannot_train_fails_the_dry_run():
    "A value every key accepts but training refuses: a warm-up longer than BYOL's shortened encoder horizon."
    common = {**parameters("table1", "paper")["common"], "optim.warmup_epochs": 395}  # horizon 400 - 10 = 390
    configs = notebook_configs("table1", "paper", changes={"common": common, "datasets": ["stl10"],
                                                           "backbones": ["resnet18"], "methods": ["byol"],
                                                           "seeds": [0]})
    adios = [cfg for cfg in configs if cfg.method.masking == "adios"]
    with pytest.raises(DryRunError, match="warmup_epochs=395"):
        dry_run(adios, batch_size=2, progress=False)


def test_cli_dry_run_with_the_gpu_code_paths_on_the_cpu(capsys):
    "bf16 autocast and channels_last run on the CPU: the code a GPU run executes, through the command line."
    config = NBS / "params" / "ci_pretrain.yaml"
    assert cli(["--config", str(config), "--dry-run", "train.device=cpu", "train.precision=bf16",
                "train.channels_last=true"]) == 0
    out = capsys.readouterr().out
    assert "dry run passed" in out and "params_occluder" in out and "cpu_step_s" in out
    # a run that cannot train (warm-up as long as the shortened horizon): named, exit 1
    assert cli(["--config", str(config), "--dry-run", "train.epochs=3", "optim.train_mask_epoch=2"]) == 1
    assert "failed the dry run" in capsys.readouterr().err


@pytest.mark.slow
def test_every_distinct_paper_run_dry_runs(paper_configs):
    "Exhaustive: one run per distinct (dataset, backbone, method, masking, augmentation), 224-px runs included."
    report = dry_run(distinct_runs(paper_configs), batch_size=4, progress=False, raise_on_failure=False)
    print(report.to_string())
    assert (report["status"] == "ok").all(), report[report["status"] != "ok"][["name", "error"]].to_string()


def test_a_paper_notebook_stops_after_its_dry_run(tmp_path):
    "`papermill ... -p dry_run True`: the runs are dry-run, the notebook stops at that cell, nothing is trained."
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path
    papermill = Path(sys.executable).parent / "papermill"
    if not papermill.exists():
        pytest.skip("papermill is not installed beside this Python")
    output = tmp_path / "figure8_dry.ipynb"
    env = {**os.environ, "ADIOS_NB_RESULTS": str(tmp_path / "results"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([str(papermill), "nbs/reproduce_figure8.ipynb", str(output), "-p", "dry_run", "True",
                             "--cwd", "nbs", "--no-progress-bar"], cwd=NBS.parent, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode != 0 and "DryRunFinished" in result.stderr, result.stderr[-2000:]
    assert "the dry run of 2 runs passed" in result.stderr
    printed = "".join("".join(output_.get("text", "")) for cell in json.loads(output.read_text())["cells"]
                      for output_ in cell.get("outputs", []))
    assert "params_occluder" in printed and "total_epochs" in printed  # the report and the per-artefact summary
    assert not (tmp_path / "results" / "runs").exists()  # nothing trained
