"""`nbs/params/gls_cifar_paper.yaml` must hold the official CIFAR-10 protocol of the GLS/NLS code (UCSC-REAL/negative-label-smoothing@05078f6: `main_warmup.py`,
`main_GLS_load.py`, `data/datasets.py`),
and the GLS paper-scale files must read the real datasets with the group's best-test-epoch reporting."""
from pathlib import Path

import yaml

from adios_nb.label_noise import OFFICIAL_SCHEDULES

PARAMS = Path(__file__).resolve().parents[1] / "nbs" / "params"


def load(name):
    return yaml.safe_load((PARAMS / name).read_text())


def plan(schedule):
    return [[lr, epochs] for lr, epochs in schedule.lr_plan]


def test_cifar_paper_file_is_the_official_protocol():
    params = load("gls_cifar_paper.yaml")
    assert (params["scale"], params["dataset"], params["model"]) == ("paper", "cifar10", "resnet34")
    assert params["warmup_lr_plan"] == plan(OFFICIAL_SCHEDULES["warmup"])  # 0.1/0.01/0.001 x 40 epochs
    assert (params["warmup_momentum"], params["warmup_weight_decay"]) == (0.0, 0.0)  # plain SGD
    assert params["finetune_lr_plan"] == plan(OFFICIAL_SCHEDULES["finetune"])  # constant 1e-6 for 100 epochs
    assert params["direct_lr_plan"] == plan(OFFICIAL_SCHEDULES["direct"])  # 0.1 x100, 0.01 x50, 0.001 x50
    assert (params["momentum"], params["weight_decay"]) == (0.9, 1e-4)
    assert (params["batch_size"], params["test_batch_size"]) == (128, 64)
    assert (params["selection"], params["n_val"]) == ("best_test", 0)
    assert params["smooth_rates"] == [0.8, 0.6, 0.4, 0.2, 0.0, -0.2, -0.4, -0.6, -0.8, -1.0, -2.0, -4.0, -6.0, -8.0]


def test_uci_paper_files_read_the_real_files_with_best_test_selection():
    table1 = load("gls_table1_paper.yaml")
    assert (table1["heart_dataset"], table1["splice_dataset"]) == ("uci_heart", "uci_splice")
    assert sorted(load("gls_figure1_paper.yaml")["datasets"]) == ["uci_heart", "uci_splice"]
    for params in (table1, load("gls_figure1_paper.yaml")):
        assert params["scale"] == "paper"
        assert (params["selection"], params["val_fraction"]) == ("best_test", 0.0)
        assert params["noise_rates"] == [0.0, 0.1, 0.2, 0.3, 0.4]
        assert params["smooth_rates"] == [0.8, 0.6, 0.4, 0.2, 0.0, -0.4, -0.6, -1.0, -2.0, -4.0, -8.0]  # Table 1 rows
