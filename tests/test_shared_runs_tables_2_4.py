"""Table 4 transfers Table 1's ResNet-18 models and Table 2's small-scale baselines are Table 1's: both notebooks
must declare runs whose ids are Table 1's, so that the run store trains each once. Run configs are built as the
notebooks build them (`load_config(**common, **hparams[f"{dataset}/{backbone}/{method}"], ...)`), from the
parameters cells (ci scale) updated by the parameter files (small and paper scales)."""
import pytest

from paper_runs import SCALES, parameters, run_id, table1_run_ids


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
