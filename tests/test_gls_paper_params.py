"""`nbs/params/gls_cifar_paper.yaml` must hold the official CIFAR-10 protocol of the GLS/NLS code
(UCSC-REAL/negative-label-smoothing@05078f6: `main_warmup.py`, `main_GLS_load.py`, `main_GLS_direct_train.py`, the
smooth-rate grid of its README; transcribed in `adios_nb/paper/official_hparams.yaml`), and the GLS paper-scale
files must read the real datasets with the group's best-test-epoch reporting."""
from pathlib import Path

import yaml

from adios_nb.label_noise import OFFICIAL_SCHEDULES
from test_paper_params import official_hparams

PARAMS = Path(__file__).resolve().parents[1] / "nbs" / "params"


def load(name):
    return yaml.safe_load((PARAMS / name).read_text())


def plan(schedule):
    return [[lr, epochs] for lr, epochs in schedule.lr_plan]


def test_official_schedules_are_the_transcribed_ones():
    gls = official_hparams()["gls"]
    assert plan(OFFICIAL_SCHEDULES["warmup"]) == gls["warmup_lr_plan"]
    assert plan(OFFICIAL_SCHEDULES["finetune"]) == gls["finetune_lr_plan"]
    assert plan(OFFICIAL_SCHEDULES["direct"]) == gls["direct_lr_plan"]
    for name in ("finetune", "direct"):
        assert (OFFICIAL_SCHEDULES[name].momentum, OFFICIAL_SCHEDULES[name].weight_decay) == \
            (gls["momentum"], gls["weight_decay"]), name
    assert (OFFICIAL_SCHEDULES["warmup"].momentum, OFFICIAL_SCHEDULES["warmup"].weight_decay) == \
        (gls["warmup_momentum"], gls["warmup_weight_decay"])


def test_cifar_paper_file_is_the_official_protocol():
    gls = official_hparams()["gls"]
    params = load("gls_cifar_paper.yaml")
    assert (params["scale"], params["dataset"], params["model"]) == ("paper", "cifar10", gls["model"])
    assert params["warmup_lr_plan"] == gls["warmup_lr_plan"]  # 0.1/0.01/0.001 x 40 epochs
    assert (params["warmup_momentum"], params["warmup_weight_decay"]) == (gls["warmup_momentum"],
                                                                          gls["warmup_weight_decay"])  # plain SGD
    assert params["finetune_lr_plan"] == gls["finetune_lr_plan"]  # constant 1e-6 for 100 epochs
    assert params["direct_lr_plan"] == gls["direct_lr_plan"]  # 0.1 x100, 0.01 x50, 0.001 x50
    assert (params["momentum"], params["weight_decay"]) == (gls["momentum"], gls["weight_decay"])
    assert (params["batch_size"], params["test_batch_size"]) == (gls["batch_size"], gls["test_batch_size"])
    assert (params["selection"], params["n_val"]) == ("best_test", 0)
    assert params["smooth_rates"] == gls["smooth_rates"]


def test_uci_paper_files_read_the_real_files_with_best_test_selection():
    table1 = load("gls_table1_paper.yaml")
    assert (table1["heart_dataset"], table1["splice_dataset"]) == ("uci_heart", "uci_splice")
    assert sorted(load("gls_figure1_paper.yaml")["datasets"]) == ["uci_heart", "uci_splice"]
    for params in (table1, load("gls_figure1_paper.yaml")):
        assert params["scale"] == "paper"
        assert (params["selection"], params["val_fraction"]) == ("best_test", 0.0)
        assert params["noise_rates"] == [0.0, 0.1, 0.2, 0.3, 0.4]
        assert params["smooth_rates"] == [0.8, 0.6, 0.4, 0.2, 0.0, -0.4, -0.6, -1.0, -2.0, -4.0, -8.0]  # Table 1 rows
