"""Every `nbs/params/*_paper.yaml` must hold the official hyperparameters, as transcribed in
`adios_nb/paper/official_hparams.yaml`: the training scripts of the official ADIOS code (YugeTen/adios@21c6f23,
`bash_files/training/{stl10,imagenet100s}/` and `bash_files/training/imagenet100/resnet18/*_adios_s.sh`), the ADIOS
paper's Appendix E for CLEVR (Tables 9 and 12), and the sequential-masking paper's Appendix D (Tables 3-4).
`tests/test_official_hparams_source.py` checks the transcription itself."""
from functools import cache
from pathlib import Path

import pytest
import yaml

import adios_nb
from adios_nb.config import load_config

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = Path(adios_nb.__file__).resolve().parent / "paper" / "official_hparams.yaml"
NOT_CONFIG = ("script", "method.masking")  # the transcription's bookkeeping, not config fields


@cache
def official_hparams() -> dict:
    "The transcription `adios_nb/paper/official_hparams.yaml`, one section per official source."
    return yaml.safe_load(OFFICIAL.read_text())


def official_scripts() -> dict:
    "{'stl10/resnet18/simclr': {config field: value}}: one entry per official ADIOS training script."
    return official_hparams()["adios"]["scripts"]


def config_value(cfg, dotted: str):
    section, name = dotted.split(".")
    value = getattr(getattr(cfg, section), name)
    return list(value) if isinstance(value, tuple) else value


def check_official(key: str, cfg, expected: dict) -> None:
    "Every config field of `expected` holds its official value in `cfg`."
    for dotted, value in expected.items():
        if dotted not in NOT_CONFIG:
            got = config_value(cfg, dotted)
            assert got == value, f"{key}: {dotted} is {got!r}, the official value is {value!r}"


def check_common(key: str, cfg) -> None:
    "What every official ADIOS script shares: SGD + LARS (eta 0.02, clipped), warm-up cosine from 0.003, augmentations."
    adios = official_hparams()["adios"]
    check_official(key, cfg, adios["common"])
    assert cfg.optim.train_mask_epoch == adios["train_mask_epoch"][cfg.method.name], key


# CLEVR has no training script in the official repository (YugeTen/adios@21c6f23): its ADIOS runs take the paper's
# Appendix E values (Table 12: encoder lr, occluder lr, sparsity alpha, N; Table 9: epochs and batch size).
PAPER_CLEVR = official_hparams()["adios_clevr"]["runs"]


def check_clevr(key: str, cfg) -> None:
    check_official(key, cfg, PAPER_CLEVR[key])
    check_official(key, cfg, official_hparams()["adios_clevr"]["common"])  # the paper's Table 9
    assert cfg.optim.lars and cfg.optim.eta_lars == 0.02 and cfg.optim.grad_clip_lars, key
    assert (cfg.optim.warmup_epochs, cfg.optim.warmup_start_lr, cfg.optim.classifier_lr) == (10, 0.003, 0.1), key


def paper_files():
    return sorted((ROOT / "nbs" / "params").glob("*_paper.yaml"))


def test_transcription_holds_every_official_script():
    scripts = official_scripts()
    assert len(scripts) == 15  # 2 datasets x 2 backbones x 3 methods (ADIOS); ImageNet100 at 224 px: 3 methods (ADIOS-s, R18)
    assert {scripts[f"imagenet100/resnet18/{m}"]["method.masking"] for m in ("simclr", "simsiam", "byol")} == {"adios_s"}
    assert scripts["stl10/vit_tiny/byol"]["method.masking"] == "adios"
    for key, script in scripts.items():
        dataset, backbone, method = key.split("/")
        assert script["script"] == (f"bash_files/training/{dataset}/{backbone.replace('vit_tiny', 'vittiny')}/"
                                    f"{method}_{script['method.masking']}.sh"), key


@pytest.mark.parametrize("path", [p for p in paper_files() if "hparams" in yaml.safe_load(p.read_text())
                                  and not p.name.startswith(("seq_", "idaa_"))],  # checked against their own papers
                         ids=lambda p: p.name)  # (below, and tests/test_idaa_paper_params.py)
def test_paper_hyperparameters_are_the_official_ones(path):
    params = yaml.safe_load(path.read_text())
    scripts = official_scripts()
    assert params["hparams"], f"{path.name} lists no runs"
    for key, overrides in params["hparams"].items():
        if key in PAPER_CLEVR:
            check_clevr(key, load_config(**params.get("common", {}), **overrides, **dict(zip(
                ("data.dataset", "model.backbone", "method.name"), key.split("/"))), **{"method.masking": "adios"}))
            continue
        assert key in scripts, f"{path.name}: {key} is not an official training script (nor the paper's CLEVR table)"
        script = scripts[key]
        cfg = load_config(**params.get("common", {}), **overrides, **dict(zip(
            ("data.dataset", "model.backbone", "method.name"), key.split("/"))),
            **{"method.masking": script["method.masking"]})
        check_official(key, cfg, script)
        check_common(key, cfg)


# Sequential masking (Sam et al. 2022; seq_*_paper.yaml): the paper's own Tables 3-4 (Appendix D), and the official
# ADIOS script of the same dataset for what the paper leaves to ADIOS.
@pytest.mark.parametrize("path", [p for p in paper_files() if p.name.startswith("seq_")], ids=lambda p: p.name)
def test_seq_paper_hyperparameters_match_the_paper(path):
    sequential = official_hparams()["sequential"]
    params = yaml.safe_load(path.read_text())
    scripts = official_scripts()
    table4_sequential = dict(sequential["table4_sequential"])
    if path.name.startswith("seq_figure2"):  # Figure 2's caption: N = 4 for the sequential pipeline
        table4_sequential["method.n_masks"] = sequential["figure2_sequential_n_masks"]
    assert params["hparams"] and set(params["masking_hparams"]) == {"adios", "sequential"}
    for key, overrides in params["hparams"].items():
        dataset, backbone, method = key.split("/")
        for masking, masking_overrides in params["masking_hparams"].items():
            cfg = load_config(**params["common"], **overrides, **masking_overrides, **{
                "data.dataset": dataset, "model.backbone": backbone, "method.name": method, "method.masking": masking})
            check_official(key, cfg, sequential["table3"])
            check_official(key, cfg, sequential["table4_adios"] if masking == "adios" else table4_sequential)
            # where the paper is silent: the official ADIOS script of the same dataset and backbone
            script = scripts[key]
            check_official(key, cfg, {field: script[field] for field in (
                "optim.mask_lr", "optim.weight_decay", "method.mask_fbase", "method.unet_norm", "model.output_dim",
                "model.proj_hidden_dim")})
            assert cfg.optim.lars and cfg.optim.eta_lars == 0.02 and cfg.optim.grad_clip_lars, key
            assert (cfg.optim.warmup_epochs, cfg.optim.warmup_start_lr, cfg.optim.classifier_lr) == (10, 0.003, 0.1), key


@pytest.mark.parametrize("path", [p for p in paper_files() if "baseline_hparams" in yaml.safe_load(p.read_text())
                                  and not p.name.startswith("table7")],  # CLEVR: Table 12 (test_shared_runs_tables_6_7)
                         ids=lambda p: p.name)
def test_baselines_hold_the_lr_of_table_10(path):
    "Every baseline of an ADIOS table takes its own encoder lr from the paper's Table 10 (and nothing else)."
    params = yaml.safe_load(path.read_text())
    table10 = official_hparams()["adios_baselines"]["lr"]
    assert set(params["baseline_hparams"]) == set(params["hparams"]), path.name
    for key, overrides in params["baseline_hparams"].items():
        assert overrides == {"optim.lr": table10[key]}, f"{path.name}: {key}"
