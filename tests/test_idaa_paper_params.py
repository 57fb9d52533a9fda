"""The IDAA paper notebooks: the paper-scale parameter files hold the official hyperparameters (checked against the
hyperparameter table A.8 and the CLAE section A.11 of `shared/spec/idaa_nls_sequential.md`, quoted from the spec
itself), and the notebooks that reuse IDAA Table 1's runs declare exactly those runs at every scale, so the run
store trains each once."""
import re
from pathlib import Path

import pytest
import yaml

from adios_nb.idaa import paper_run_config, vae_config
from paper_runs import SCALES, parameters

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "spec" / "idaa_nls_sequential.md"


def spec_section(number: str) -> str:
    "The text of section A.<number> of the spec (skips the test when the spec is not beside the project)."
    if not SPEC.is_file():
        pytest.skip(f"the spec is not beside the project ({SPEC})")
    text = SPEC.read_text()
    match = re.search(rf"### A\.{number} .*?(?=\n### |\n---)", text, flags=re.S)
    assert match, f"section A.{number} not found in {SPEC}"
    return match.group(0)


def a8_table() -> dict:
    "{item: value} of the A.8 hyperparameter table."
    rows = {}
    for line in spec_section("8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("item", "---"):
            rows[cells[0]] = cells[1]
    return rows


def config(params, dataset, method, augmentation, seed=0, **extra):
    return paper_run_config(params["common"], params["hparams"], params.get("augmentation_hparams", {}), dataset,
                            params["backbones"][dataset] if "backbones" in params else params["backbone"], method,
                            augmentation, seed, **extra)


def test_simclr_idaa_paper_settings_match_spec_a8():
    table = a8_table()
    assert table["VAE width d / latent dim"] == "128 / 512"
    assert table["VAE KL weight"].startswith("0.1")
    assert table["VAE optimiser"].startswith("Adam-like, lr 5e-4") and "300 epochs, batch 128" in table["VAE optimiser"]
    assert table["latent step eps"].startswith("0.1") and table["alpha (weight of the adversarial loss)"] == "1.0"
    assert table["adversarial BN momentum"] == "0.01"
    assert table["SSL optimiser"] == ("Adam 3e-4, cosine after epoch 10, 300 epochs, batch 256, T = 0.5, "
                                      "projection dim 64")
    assert table["linear eval"].startswith("Adam 3e-4, 1000 epochs, batch 256")
    params = parameters("idaa_table1", "paper")
    assert params["official_linear_epochs"] == 1000
    for dataset in params["datasets"]:
        cfg = config(params, dataset, "simclr", "idaa")
        me, o = cfg.method, cfg.optim
        assert (me.vae_width, me.vae_dim, me.vae_kl, me.vae_lr, me.vae_epochs, me.vae_batch_size) == \
            (128, 512, 0.1, 5e-4, 300, 128)
        assert (me.adv_eps, me.adv_alpha, me.adv_bn, me.adv_bn_momentum) == (0.1, 1.0, True, 0.01)
        assert (o.optimizer, o.lr, o.weight_decay, o.lars) == ("adam", 3e-4, 0.0, False)
        assert (cfg.train.epochs, cfg.data.batch_size, me.temperature, cfg.model.output_dim) == (300, 256, 0.5, 64)
        assert cfg.model.proj_hidden_dim == 512  # Linear(512, 512) -> ReLU -> Linear(512, 64)
        # "lr stays at 3e-4 for epochs 0-11, then follows a cosine" (A.6): CosineAnnealingLR stepped after epoch 10
        assert (o.scheduler, o.cosine_delay_epochs) == ("delayed_cosine", 11)
        assert cfg.eval.knn_monitor
        assert (cfg.data.min_scale, cfg.data.brightness, cfg.data.hue, cfg.data.jitter_prob, cfg.data.gray_prob,
                cfg.data.blur_prob) == (0.08, 0.8, 0.2, 0.8, 0.2, 0.0)
    assert params["backbones"]["cifar10"] == "resnet18_cifar"


def test_clae_plain_uel_paper_settings_match_spec_a11():
    section = " ".join(spec_section("11").split())  # whitespace-insensitive quotes
    assert "eps = 0.03, measured in the *normalised* input space" in section
    assert "the same eps = 0.03 equals about 0.006 in [0, 1] units" in section
    assert "(128-d, temperature 0.1)" in section and "SGD with lr 0.03, momentum 0.9 and wd 5e-4" in section
    assert "for 301 epochs at batch 128" in section
    params = parameters("idaa_table1", "paper")
    cfg = config(params, "cifar10", "simclr", "clae")
    assert (cfg.method.adv_eps, cfg.method.clae_eps_space) == (0.006, "pixel")
    for method in ("plain", "uel"):
        cfg = config(params, "cifar10", method, "clae")
        o = cfg.optim
        assert (o.optimizer, o.lr, o.momentum, o.weight_decay, o.lars) == ("sgd", 0.03, 0.9, 5e-4, False)
        assert "multiplied by 0.1 at epoch 120, 0.05 at 160 and 0.01 at 200" in section
        assert (o.scheduler, o.lr_milestones, o.lr_factors) == ("step", (120, 160, 200), (0.1, 0.05, 0.01))
        assert (cfg.method.temperature, cfg.model.output_dim, cfg.data.batch_size, cfg.train.epochs) == \
            (0.1, 128, 128, 301)
    assert config(params, "cifar10", "plain", "none").method.instance_bank == "batch"  # CLAE's released Plain


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
