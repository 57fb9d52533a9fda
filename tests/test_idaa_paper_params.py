"""The IDAA paper notebooks: the paper-scale parameter files hold the official hyperparameters (IDAA's SimCLR and VAE:
kai-wen-yang/IDAA@20c81fc, README, `train_vae.py`, `SimCLR/main.py`, `SimCLR/model.py`; CLAE, Plain and UEL:
chihhuiho/CLAE@6986061, `SimCLR/main.py`, `Plain/main.py`, `UEL/main.py`), as transcribed in
`adios_nb/paper/official_hparams.yaml`; and the notebooks that reuse IDAA Table 1's runs declare exactly those runs at
every scale, so the run store trains each once."""
import pytest

from adios_nb.idaa import paper_run_config, vae_config
from paper_runs import SCALES, parameters
from test_paper_params import check_official, official_hparams


def config(params, dataset, method, augmentation, seed=0, **extra):
    return paper_run_config(params["common"], params["hparams"], params.get("augmentation_hparams", {}), dataset,
                            params["backbones"][dataset] if "backbones" in params else params["backbone"], method,
                            augmentation, seed, **extra)


def test_simclr_idaa_paper_settings_are_the_official_ones():
    idaa = official_hparams()["idaa"]
    params = parameters("idaa_table1", "paper")
    assert params["official_linear_epochs"] == idaa["linear_epochs"]
    for dataset in params["datasets"]:
        cfg = config(params, dataset, "simclr", "idaa")
        for part in ("vae", "adversarial", "simclr", "augmentation"):
            check_official(f"{dataset} {part}", cfg, idaa[part])
    assert params["backbones"]["cifar10"] == "resnet18_cifar"


def test_clae_plain_uel_paper_settings_are_the_official_ones():
    clae = official_hparams()["clae"]
    params = parameters("idaa_table1", "paper")
    check_official("cifar10 simclr clae", config(params, "cifar10", "simclr", "clae"), clae["adversarial"])
    for method in ("plain", "uel"):
        check_official(f"cifar10 {method} clae", config(params, "cifar10", method, "clae"), clae["plain_uel"])
    # CLAE's released Plain
    assert config(params, "cifar10", "plain", "none").method.instance_bank == clae["plain_instance_bank"]


@pytest.mark.parametrize("scale", SCALES)
def test_transfer_encoders_are_table1_simclr_runs(scale):
    table1, transfer = parameters("idaa_table1", scale), parameters("idaa_transfer", scale)
    for key in ("common", "augmentation_hparams"):
        assert transfer[key] == table1[key], f"{scale}: the transfer notebook's {key} differs from Table 1's"
    dataset = transfer["pretrain_dataset"]
    assert dataset in table1["datasets"] and transfer["backbone"] == table1["backbones"][dataset]
    for augmentation in transfer["augmentations"]:
        for seed in transfer["seeds"]:
            assert config(transfer, dataset, "simclr", augmentation, seed).run_id == \
                config(table1, dataset, "simclr", augmentation, seed).run_id


@pytest.mark.parametrize("scale", SCALES)
def test_figure6_reference_and_centre_are_table1_runs(scale):
    table1, figure6 = parameters("idaa_table1", scale), parameters("idaa_figure6", scale)
    dataset = figure6["dataset"]
    if dataset not in table1["datasets"]:
        assert scale == "paper" and dataset in ("cifar10",), scale
        return
    reference = config(table1, dataset, "simclr", "none")
    assert config(figure6, dataset, "simclr", "none").run_id == reference.run_id
    centre = config(table1, dataset, "simclr", "idaa")
    shared = [(key, value) for key, values in figure6["sweeps"].items() for value in values
              if config(figure6, dataset, "simclr", "idaa", **{key: value}).run_id == centre.run_id]
    if scale != "ci":  # the ci sweep leaves the centre out
        assert len(shared) == len(figure6["sweeps"]), f"{scale}: the centre of each sweep must be Table 1's run"


def test_figure6_paper_centre_is_table1_paper_run():
    table1, figure6 = parameters("idaa_table1", "paper"), parameters("idaa_figure6", "paper")
    centre = config(table1, "cifar10", "simclr", "idaa").run_id
    assert sum(config(figure6, "cifar10", "simclr", "idaa", **{key: value}).run_id == centre
               for key, values in figure6["sweeps"].items() for value in values) == 3


@pytest.mark.parametrize("scale", ("ci", "small"))
def test_table2_shares_table1_vae_run(scale):
    table1, table2 = parameters("idaa_table1", scale), parameters("idaa_table2", scale)
    vae1 = vae_config(config(table1, table1["datasets"][0], "simclr", "idaa")).run_id
    vae2 = vae_config(paper_run_config(table2["common"], {}, table2["augmentation_hparams"], table2["dataset"],
                                       table2["backbone"], "simsiam", "idaa", 0)).run_id
    assert vae1 == vae2
