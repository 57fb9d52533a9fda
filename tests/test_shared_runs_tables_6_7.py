"""Table 6's ADIOS and no-mask runs are Table 1's ResNet-18 runs (same run ids at every scale, so the run store
trains them once), and Table 7's paper file holds the CLEVR values of the paper's Appendix E (Tables 9 and 12)
with the rest taken from the official STL10 ResNet-18 scripts (YugeTen/adios@21c6f23,
`bash_files/training/stl10/resnet18/`, transcribed in `adios_nb/paper/official_hparams.yaml`), as its header says. Run configs are
built as the notebooks build them, from the parameters cells (ci scale) updated by the parameter files."""
import pytest

from adios_nb.config import load_config
from paper_runs import SCALES, parameters, run_id, table1_run_ids


@pytest.mark.parametrize("scale", SCALES)
def test_table6_learned_and_unmasked_runs_are_table1_runs(scale):
    table1, table6 = parameters("table1", scale), parameters("table6", scale)
    ids1 = table1_run_ids(scale)
    assert {"adios", "none"} <= set(table6["maskings"])
    for dataset in table6["datasets"]:
        for method in table6["methods"]:
            for masking in ("none", "adios"):
                for seed in table6["seeds"]:
                    key = (dataset, table6["backbone"], method, masking, seed)
                    assert key in ids1, f"{scale}: Table 1 does not train {key}"
                    assert run_id(table6, *key) == ids1[key], f"{scale}: table6's {key} is not Table 1's run"
    if scale != "ci":  # the paper's Table 6: both datasets, ResNet-18 (small: Table 1's backbone), three methods, seeds
        assert (table6["backbone"] == "resnet18") if scale == "paper" else (table6["backbone"] in table1["backbones"])
        assert table6["methods"] == ["simclr", "simsiam", "byol"]
        assert table6["seeds"] == [0, 1, 2]
    if scale == "paper":
        assert sorted(table6["datasets"]) == ["imagenet100s", "stl10"]
        assert table6["hparams"] == {k: v for k, v in table1["hparams"].items() if "/resnet18/" in k}
        assert table6["baseline_hparams"] == {k: v for k, v in table1["baseline_hparams"].items() if "/resnet18/" in k}


def stl10_resnet18_script(method: str) -> dict:
    "The official STL10 ResNet-18 script of `method` (bash_files/training/stl10/resnet18/), as transcribed."
    from test_paper_params import official_scripts
    return official_scripts()[f"stl10/resnet18/{method}"]


# paper Appendix E, Table 12: encoder lr of the baseline and of +ADIOS; Table 9: 500 epochs, batch 128
PAPER_CLEVR_BASELINE_LR = {"simclr": 0.2, "simsiam": 0.7, "byol": 0.5}


def test_table7_paper_file_holds_the_decided_clevr_hyperparameters():
    from test_paper_params import PAPER_CLEVR, check_clevr, check_official
    params = parameters("table7", "paper")
    assert (params["dataset"], params["backbone"]) == ("clevr", "resnet18")
    assert params["methods"] == ["simclr", "simsiam", "byol"] and params["seeds"] == [0, 1, 2]
    assert params["maskings"] == ["gt", "fgbg", "box", "shuffle", "mae", "beit", "adios", "none"]
    for method in params["methods"]:
        key = f"clevr/resnet18/{method}"
        base = {**params["common"], **params["hparams"][key], "data.dataset": "clevr", "model.backbone": "resnet18",
                "method.name": method}
        adios = load_config(**base, **{"method.masking": "adios"})
        check_clevr(key, adios)  # Appendix E values (shared with test_paper_params)
        assert key in PAPER_CLEVR
        none = load_config(**{**base, **params["baseline_hparams"][key]}, **{"method.masking": "none"})
        assert none.optim.lr == PAPER_CLEVR_BASELINE_LR[method], key
        assert none.replace(**{"optim.lr": adios.optim.lr, "method.masking": "adios"}).run_id == adios.run_id, \
            f"{key}: the unmasked run differs from the ADIOS run by more than the encoder lr"
        # what the paper does not state comes from the official STL10 ResNet-18 script of the method
        script = stl10_resnet18_script(method)
        check_official(key, adios, {field: value for field, value in script.items() if field.startswith((
            "optim.weight_decay", "method.mask_fbase", "method.unet_norm", "method.num_blocks", "method.alpha_entropy",
            "model.", "method.temperature", "method.simsiam_use_"))})
        assert adios.method.num_blocks == 5, key
        if method == "byol":
            assert adios.optim.train_mask_epoch == 10, key
        assert adios.img_size == 64, key  # CLEVR's size (YugeTen/adios src/args/utils.py, IMG_SIZE_DATASET)


def test_figure8_clevr_panel_is_table7s_simclr_adios_run():
    "At the paper scale Figure 8's CLEVR masks come from Table 7's SimCLR + ADIOS seed-0 model (one run, trained once)."
    figure8, table7 = parameters("figure8", "paper"), parameters("table7", "paper")
    assert "clevr" in figure8["panels"] and table7["dataset"] == "clevr" and 0 in table7["seeds"]
    table7_plan = {**table7, "common": table7["common"], "hparams": table7["hparams"]}
    assert run_id(figure8, "clevr", "resnet18", "simclr", "adios", 0) == \
        run_id(table7_plan, "clevr", "resnet18", "simclr", "adios", 0)


def test_figure8_scenes_panel_is_table7s_simclr_adios_run_at_the_small_scale():
    "At the small scale Figure 8's scenes panel is Table 7's SimCLR + ADIOS seed-0 model (one run, trained once)."
    figure8, table7 = parameters("figure8", "small"), parameters("table7", "small")
    assert "scenes" in figure8["panels"] and table7["dataset"] == "scenes" and 0 in table7["seeds"]
    assert figure8["backbone"] == table7["backbone"]
    assert run_id(figure8, "scenes", figure8["backbone"], "simclr", "adios", 0) == \
        run_id(table7, "scenes", table7["backbone"], "simclr", "adios", 0)
