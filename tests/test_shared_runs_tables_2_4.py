"""Table 4 transfers Table 1's ResNet-18 models and Table 2's small-scale baselines are Table 1's: both notebooks
must declare runs whose ids are Table 1's, so that the run store trains each once. Run configs are built as the
notebooks build them (`load_config(**common, **hparams[f"{dataset}/{backbone}/{method}"], ...)`), from the
parameters cells (ci scale) updated by the parameter files (small and paper scales)."""
import ast
import json
from pathlib import Path

import pytest
import yaml

from adios_nb.config import load_config

NBS = Path(__file__).resolve().parents[1] / "nbs"
SCALES = ("ci", "small", "paper")


def parameters(artefact: str, scale: str) -> dict:
    cells = json.loads((NBS / f"reproduce_{artefact}.ipynb").read_text())["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    values = {s.targets[0].id: ast.literal_eval(s.value) for s in ast.parse("".join(cell["source"])).body}
    if scale != "ci":
        values.update(yaml.safe_load((NBS / "params" / f"{artefact}_{scale}.yaml").read_text()))
    return values


def run_id(params: dict, dataset: str, backbone: str, method: str, masking: str, seed: int) -> str:
    overrides = {**params["common"], **params["hparams"].get(f"{dataset}/{backbone}/{method}", {})}
    return load_config(**overrides, **{"data.dataset": dataset, "model.backbone": backbone, "method.name": method,
                                        "method.masking": masking, "train.seed": seed}).run_id


def table1_run_ids(scale: str) -> dict:
    p = parameters("table1", scale)
    return {(d, b, m, k, s): run_id(p, d, b, m, k, s) for d in p["datasets"] for b in p["backbones"]
            for m in p["methods"] for k in ("none", "adios") for s in p["seeds"]}


@pytest.mark.parametrize("scale", SCALES)
def test_table4_transfers_table1_runs(scale):
    p, ids1 = parameters("table4", scale), table1_run_ids(scale)
    for method in p["methods"]:
        for masking in ("none", "adios"):
            for seed in p["seeds"]:
                key = (p["pretrain_dataset"], p["backbone"], method, masking, seed)
                assert key in ids1, f"{scale}: Table 1 does not train {key}"
                assert run_id(p, *key) == ids1[key], f"{scale}: table4's {key} is not Table 1's run"
    assert set(p["finetune_seeds"]) <= set(p["seeds"])
    assert set(p["targets"]) == set(p["paper_targets"])
    if scale == "paper":  # the paper's Table 4: ImageNet100-S ResNet-18 models, the four real targets
        assert (p["pretrain_dataset"], p["backbone"]) == ("imagenet100s", "resnet18")
        assert sorted(p["paper_targets"].values()) == ["cifar10", "cifar100", "flowers102", "inaturalist"]
        assert set(p["cifar_stem_targets"]) == {"cifar10", "cifar100"}


@pytest.mark.parametrize("scale", ("ci", "small"))
def test_table2_baselines_are_table1_runs(scale):
    p, ids1 = parameters("table2", scale), table1_run_ids(scale)
    for dataset in p["datasets"]:
        for method in p["methods"]:
            for seed in p["seeds"]:
                key = (dataset, p["backbone"], method, "none", seed)
                assert key in ids1 and run_id(p, *key) == ids1[key], f"{scale}: table2's baseline {key}"


def test_table2_paper_scale_is_imagenet100_resnet18():
    p = parameters("table2", "paper")
    assert p["datasets"] == ["imagenet100"] and p["backbone"] == "resnet18"
    assert set(p["hparams"]) == {f"imagenet100/resnet18/{m}" for m in ("simclr", "simsiam", "byol")}
