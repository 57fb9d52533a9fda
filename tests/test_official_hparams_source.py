"""The transcription `adios_nb/paper/official_hparams.yaml` matches the developers' notes it was made from: the
reading of the official code (YugeTen/adios@21c6f23; kai-wen-yang/IDAA@20c81fc; chihhuiho/CLAE;
UCSC-REAL/negative-label-smoothing@05078f6) and the sequential-masking paper's text. Those notes live beside the
developers' checkout, not in the repository, so each test skips where they are absent; the tests that compare the
parameter files against the transcription (tests/test_paper_params.py, test_idaa_paper_params.py,
test_gls_paper_params.py) run everywhere."""
import re
from pathlib import Path

import pytest

from test_paper_params import official_hparams, official_scripts

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT.parent / "shared"
ADIOS_NOTES = NOTES / "spec" / "adios_official.md"
IDAA_NLS_NOTES = NOTES / "spec" / "idaa_nls_sequential.md"
SEQ_PAPER = NOTES / "papers" / "001_6dc4026ddc6b3ace.txt"
DATASET_OF_SECTION = {"9.1": "stl10", "9.2": "imagenet100s", "9.3": "imagenet100"}
BACKBONES = {"R18": "resnet18", "ViT-T": "vit_tiny"}
BACKBONE_OF_HEADING = {"ResNet-18": "R18"}  # a table without a backbone column names it in its heading (9.3)


def read(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"the notes are not beside the checkout ({path})")
    return path.read_text()


def _number(cell: str):
    return float(cell.replace("*", "").strip().split()[0])


def notes_rows() -> dict:
    "{'stl10/resnet18/simclr': {column: cell}} from the hyperparameter tables of the ADIOS notes (9.1-9.3)."
    rows, section, header, heading_backbone = {}, None, None, None
    for line in read(ADIOS_NOTES).splitlines():
        heading = re.match(r"### (9\.\d)", line)
        if heading:
            section, header = heading.group(1), None
            heading_backbone = next((b for name, b in BACKBONE_OF_HEADING.items() if name in line), None)
            continue
        if section not in DATASET_OF_SECTION or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "method":
            header = cells
        elif header and re.fullmatch(r"\w+_adios(_s)?", cells[0]):
            row = dict(zip(header, cells))
            backbone = row.get("backbone", heading_backbone)
            method, _, masking = cells[0].partition("_")  # "simclr_adios_s" -> "simclr", "adios_s"
            rows[f"{DATASET_OF_SECTION[section]}/{BACKBONES[backbone]}/{method}"] = {**row, "masking": masking}
    return rows


def expected_script(row: dict) -> dict:
    "One notes row as the transcription's config fields."
    column = lambda prefix: next(v for k, v in row.items() if k.startswith(prefix))  # headers differ by table
    fields = {"method.masking": row["masking"], "data.batch_size": _number(row["bs"]), "optim.lr": _number(row["lr"]),
              "optim.mask_lr": _number(row["mlr"]), "method.alpha_sparsity": _number(row["α"]),
              "method.alpha_entropy": _number(row["αE"]), "optim.weight_decay": _number(row["wd"]),
              "train.epochs": _number(row["ep"]), "method.n_masks": _number(row["N"]),
              "method.mask_fbase": _number(row["fb"]), "method.unet_norm": row["norm"].replace("*", ""),
              "method.num_blocks": int(row["nb"].split()[-1])}  # "auto 5" or "4"
    if row["τ"] != "–":
        fields["method.temperature"] = _number(row["τ"])
    out, proj, pred = row["out/proj/pred"].split("/")
    fields.update({"model.output_dim": int(out), "model.proj_hidden_dim": int(proj)})
    if pred != "–":
        fields["model.pred_hidden_dim"] = int(pred)
    jitter = [float(v) for v in re.findall(r"[\d.]+", column("jitter").split("(")[0])]
    fields.update(zip(("data.brightness", "data.contrast", "data.saturation", "data.hue"), jitter))
    if "SimSiam terms" in " ".join(row) and column("SimSiam terms") != "–":
        flags = column("SimSiam terms").split("/")
        fields.update(zip(("method.simsiam_use_symmetry_mask", "method.simsiam_use_no_mask",
                           "method.simsiam_use_both_mask"), [f == "T" for f in flags]))
    return fields


def test_adios_scripts_match_the_notes():
    rows, scripts = notes_rows(), official_scripts()
    assert len(rows) == 15 and set(rows) == set(scripts)
    for key, row in rows.items():
        transcribed = {k: v for k, v in scripts[key].items() if k != "script"}
        assert transcribed == expected_script(row), key


def test_adios_common_settings_match_the_notes():
    text = " ".join(read(ADIOS_NOTES).split())
    common = text[text.index("Common to **all** scripts"):text.index("Column key:")]
    for quote in ("optimizer SGD (momentum 0.9) + LARS (η 0.02, clip True", "scheduler warmup_cosine (10 warm-up "
                  "epochs from 0.003, min lr 0)", "`classifier_lr` 0.1", "`min_scale` 0.08", "`gaussian_prob` 0.5",
                  "`solarization_prob` 0.0", "`train_mask_epoch` 0 (SimCLR/SimSiam) / 10 (BYOL)"):
        assert quote in common, quote
    adios = official_hparams()["adios"]
    assert adios["common"] == {"optim.optimizer": "sgd", "optim.momentum": 0.9, "optim.lars": True,
                               "optim.eta_lars": 0.02, "optim.grad_clip_lars": True, "optim.scheduler": "warmup_cosine",
                               "optim.warmup_epochs": 10, "optim.warmup_start_lr": 0.003, "optim.classifier_lr": 0.1,
                               "data.min_scale": 0.08, "data.blur_prob": 0.5, "data.solarization_prob": 0.0}
    assert adios["train_mask_epoch"] == {"simclr": 0, "simsiam": 0, "byol": 10}
    assert "Source examined: (public repository YugeTen/adios), single commit `21c6f23`" in text
    assert adios["source"].startswith("YugeTen/adios@21c6f23")


def seq_paper_tables() -> tuple[dict, dict, dict]:
    "Table 3 {name: value} and Table 4's ADIOS and sequential {name: value}, from the paper's text."
    lines = read(SEQ_PAPER).splitlines()
    start = lines.index("Optimizer SGD")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Table 3:"))
    table3 = {}
    for line in lines[start:end]:
        name, _, value = line.rpartition(" ")
        table3[name] = value
    start = next(i for i in range(end, len(lines)) if lines[i] == "Name Value Name Value") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Table 4:"))
    adios, sequential = {}, {}
    for line in lines[start:end]:
        words = line.split()
        if len(words) == 4:
            adios[words[0]], sequential[words[2]] = float(words[1]), float(words[3])
        else:
            sequential[words[0]] = float(words[1])
    return table3, adios, sequential


def test_sequential_tables_match_the_paper_text():
    table3, adios, sequential = seq_paper_tables()
    assert table3 == {"Optimizer": "SGD", "Momentum": "0.9", "Scheduler warmup": "cosine", "Epochs": "500",
                      "Batch Size": "256", "Enc. Learning Rate": "0.11", "Temperature": "0.2"}
    transcribed = official_hparams()["sequential"]
    assert transcribed["table3"] == {
        "optim.optimizer": table3["Optimizer"].lower(), "optim.momentum": float(table3["Momentum"]),
        "optim.scheduler": "warmup_" + table3["Scheduler warmup"], "train.epochs": int(table3["Epochs"]),
        "data.batch_size": int(table3["Batch Size"]), "optim.lr": float(table3["Enc. Learning Rate"]),
        "method.temperature": float(table3["Temperature"])}
    assert transcribed["table4_adios"] == {"method.n_masks": adios["N"], "method.alpha_entropy": adios["entropy"],
                                           "method.alpha_sparsity": adios["sparsity"]}
    assert transcribed["table4_sequential"] == {
        "method.n_masks": sequential["N"], "method.seq_budget": sequential["budget"],
        "method.seq_alpha_overlap": sequential["overlap"], "method.seq_alpha_consistency": sequential["consistency"]}
    text = " ".join(read(SEQ_PAPER).split())
    assert "For ADIOS, we use N=4𝑁4N=4, and for our pipeline, we use N=4𝑁4N=4 and b=0.25" in text  # Figure 2's caption
    assert transcribed["figure2_sequential_n_masks"] == 4


def notes_section(number: str) -> str:
    "Section <number> (e.g. 'A.8') of the IDAA / NLS notes, whitespace-normalised."
    match = re.search(rf"### {re.escape(number)} .*?(?=\n### |\n---)", read(IDAA_NLS_NOTES), flags=re.S)
    assert match, f"section {number} not found in {IDAA_NLS_NOTES}"
    return " ".join(match.group(0).split())


def a8_table() -> dict:
    "{item: value} of the A.8 hyperparameter table."
    rows = {}
    match = re.search(r"### A\.8 .*?(?=\n### |\n---)", read(IDAA_NLS_NOTES), flags=re.S)
    for line in match.group(0).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("item", "---"):
            rows[cells[0]] = cells[1]
    return rows


def test_idaa_transcription_matches_the_notes():
    table, idaa = a8_table(), official_hparams()["idaa"]
    assert table["VAE width d / latent dim"] == "128 / 512"
    assert (idaa["vae"]["method.vae_width"], idaa["vae"]["method.vae_dim"]) == (128, 512)
    assert table["VAE KL weight"].startswith("0.1") and idaa["vae"]["method.vae_kl"] == 0.1
    assert table["VAE optimiser"].startswith("Adam-like, lr 5e-4") and "300 epochs, batch 128" in table["VAE optimiser"]
    assert (idaa["vae"]["method.vae_lr"], idaa["vae"]["method.vae_epochs"], idaa["vae"]["method.vae_batch_size"]) == \
        (5e-4, 300, 128)
    assert table["latent step eps"].startswith("0.1") and table["alpha (weight of the adversarial loss)"] == "1.0"
    assert table["adversarial BN momentum"] == "0.01"
    assert idaa["adversarial"] == {"method.adv_eps": 0.1, "method.adv_alpha": 1.0, "method.adv_bn": True,
                                   "method.adv_bn_momentum": 0.01}
    assert table["SSL optimiser"] == ("Adam 3e-4, cosine after epoch 10, 300 epochs, batch 256, T = 0.5, "
                                      "projection dim 64")
    simclr = idaa["simclr"]
    assert (simclr["optim.optimizer"], simclr["optim.lr"], simclr["train.epochs"], simclr["data.batch_size"],
            simclr["method.temperature"], simclr["model.output_dim"]) == ("adam", 3e-4, 300, 256, 0.5, 64)
    a6 = notes_section("A.6")
    assert "**Adam, lr 3e-4, no weight decay**" in a6 and simclr["optim.weight_decay"] == 0.0
    assert "lr stays at 3e-4 for epochs 0–11, then follows a cosine" in a6
    assert (simclr["optim.scheduler"], simclr["optim.cosine_delay_epochs"]) == ("delayed_cosine", 11)
    assert "The projector is Linear(512,512) → ReLU → Linear(512,64)" in a6 and simclr["model.proj_hidden_dim"] == 512
    assert table["linear eval"].startswith("Adam 3e-4, 1000 epochs, batch 256") and idaa["linear_epochs"] == 1000
    assert "HEAD is `20c81fc`" in read(IDAA_NLS_NOTES) and idaa["source"].startswith("kai-wen-yang/IDAA@20c81fc")


def test_clae_transcription_matches_the_notes():
    section, clae = notes_section("A.11"), official_hparams()["clae"]
    assert "eps = 0.03, measured in the *normalised* input space" in section
    assert "the same eps = 0.03 equals about 0.006 in [0, 1] units" in section
    assert clae["adversarial"] == {"method.adv_eps": 0.006, "method.clae_eps_space": "pixel"}
    assert "(128-d, temperature 0.1)" in section and "SGD with lr 0.03, momentum 0.9 and wd 5e-4" in section
    assert "multiplied by 0.1 at epoch 120, 0.05 at 160 and 0.01 at 200" in section
    assert "for 301 epochs at batch 128" in section
    plain_uel = clae["plain_uel"]
    assert (plain_uel["model.output_dim"], plain_uel["method.temperature"]) == (128, 0.1)
    assert (plain_uel["optim.optimizer"], plain_uel["optim.lr"], plain_uel["optim.momentum"],
            plain_uel["optim.weight_decay"]) == ("sgd", 0.03, 0.9, 5e-4)
    assert (plain_uel["optim.lr_milestones"], plain_uel["optim.lr_factors"]) == ([120, 160, 200], [0.1, 0.05, 0.01])
    assert (plain_uel["train.epochs"], plain_uel["data.batch_size"]) == (301, 128)
    assert "`Plain/` is batch-wise instance discrimination" in section and clae["plain_instance_bank"] == "batch"


def test_gls_transcription_matches_the_notes():
    gls = official_hparams()["gls"]
    b5 = notes_section("B.5")
    assert "| `main_GLS_direct_train.py` | SGD, momentum 0.9, Nesterov, wd 1e-4 | 0.1 for 100 epochs, 0.01 for 50, " \
           "0.001 for 50 | 200 |" in b5
    assert "| `main_warmup.py` | **plain SGD (no momentum, no wd)** | 0.1 for 40 epochs, 0.01 for 40, 0.001 for 40 " \
           "| 120 |" in b5
    assert "| `main_GLS_load.py` | SGD, momentum 0.9, Nesterov, wd 1e-4 | **constant 1e-6** | 100 |" in b5
    assert gls["direct_lr_plan"] == [[0.1, 100], [0.01, 50], [0.001, 50]]
    assert gls["warmup_lr_plan"] == [[0.1, 40], [0.01, 40], [0.001, 40]]
    assert gls["finetune_lr_plan"] == [[1e-6, 100]]
    assert (gls["warmup_momentum"], gls["warmup_weight_decay"], gls["momentum"], gls["weight_decay"]) == \
        (0.0, 0.0, 0.9, 1e-4)
    b4 = notes_section("B.4")
    assert "Batch 128 for training (shuffled, last batch kept) and 64 for testing" in b4
    assert "`--model resnet` gives **ResNet-34** (the default)" in b4
    assert (gls["batch_size"], gls["test_batch_size"], gls["model"]) == (128, 64, "resnet34")
    grid = " ".join(read(IDAA_NLS_NOTES).split())
    assert "Smooth-rate grid used in the paper (README): {0.8, 0.6, 0.4, 0.2, 0.0, −0.2, −0.4, −0.6, −0.8, −1.0, " \
           "−2.0, −4.0, −6.0, −8.0}" in grid
    assert gls["smooth_rates"] == [0.8, 0.6, 0.4, 0.2, 0.0, -0.2, -0.4, -0.6, -0.8, -1.0, -2.0, -4.0, -6.0, -8.0]
    assert "HEAD is `05078f6`" in grid and gls["source"].startswith("UCSC-REAL/negative-label-smoothing@05078f6")


ADIOS_PAPER = NOTES / "papers" / "002_2fd83c30b901233d.txt"


def test_baseline_lrs_are_the_papers_table_10():
    "The ADIOS paper's Appendix C, Table 10 (the baselines' encoder lr), as the text version of the paper prints it."
    rows = re.findall(r"^(ResNet18|ViT-Tiny) \| (ImageNet100-S|STL10) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$",
                      read(ADIOS_PAPER), flags=re.M)
    assert len(rows) == 4, rows
    lr = official_hparams()["adios_baselines"]["lr"]
    for backbone, dataset, simclr, simsiam, byol in rows:
        key = f"{ {'ImageNet100-S': 'imagenet100s', 'STL10': 'stl10'}[dataset]}/" \
              f"{ {'ResNet18': 'resnet18', 'ViT-Tiny': 'vit_tiny'}[backbone]}"
        assert (lr[f"{key}/simclr"], lr[f"{key}/simsiam"], lr[f"{key}/byol"]) == \
            (float(simclr), float(simsiam), float(byol)), key
    assert len(lr) == 12
