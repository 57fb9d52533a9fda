"""Paper notebooks that evaluate Table 1's models (Table 3, Table 5, Figure 8) must declare exactly Table 1's runs,
so that the run store trains each of them once. Each notebook builds a run's config as `reproduce_table1` does:
`load_config(**common, **hparams[f"{dataset}/{backbone}/{method}"], data.dataset=..., model.backbone=...,
method.name=..., method.masking=..., train.seed=...)`. These tests build the run ids the same way from the
parameters cells (ci scale) and the parameter files (small and paper scales) and compare them."""
import pytest

from paper_runs import SCALES, parameters as scale_parameters, plan_run_ids as table_run_ids, run_id





@pytest.mark.parametrize("scale", SCALES)
def test_table3_declares_exactly_the_runs_of_table1(scale):
    table1, table3 = scale_parameters("table1", scale), scale_parameters("table3", scale)
    for key in ("seeds", "datasets", "backbones", "methods", "paper_datasets", "common", "hparams", "baseline_hparams"):
        assert table3[key] == table1[key], f"{scale}: table3's {key} differs from table1's"
    assert table_run_ids(table3) == table_run_ids(table1)


@pytest.mark.parametrize("scale", SCALES)
def test_table5_runs_are_runs_of_table1(scale):
    table1, table5 = scale_parameters("table1", scale), scale_parameters("table5", scale)
    ids1, ids5 = table_run_ids(table1), table_run_ids(table5)
    assert ids5 and set(ids5.items()) <= set(ids1.items()), f"{scale}: table5 declares runs Table 1 does not train"
    if scale == "paper":  # the paper's Table 5 models: ImageNet100-S, ResNet-18
        assert {(d, b) for d, b, *_ in ids5} == {("imagenet100s", "resnet18")}


@pytest.mark.parametrize("scale", SCALES)
def test_figure8_panels_reuse_table1_runs_where_table1_has_the_dataset(scale):
    table1, figure8 = scale_parameters("table1", scale), scale_parameters("figure8", scale)
    ids1 = table_run_ids(table1)
    shared = 0
    for dataset in figure8["panels"]:
        for seed in figure8["seeds"]:
            key = (dataset, figure8["backbone"], figure8["method"], "adios", seed)
            if key in ids1:
                assert run_id(figure8, *key) == ids1[key], f"{scale}: figure8's {dataset} panel is not Table 1's run"
                shared += 1
    assert shared >= 1, f"{scale}: no Figure 8 panel shares a run with Table 1"
