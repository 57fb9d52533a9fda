"""Sequential adversarial masking (nbs/12_sequential.ipynb) through the training engine: a SIGKILLed run resumes to
the same final weights and metrics, bit for bit (CPU); two processes under torchrun take the same step as one;
and the Pascal VOC 2012 loader reads tiny files written in the release format."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from adios_nb.config import load_config, parse_overrides
from adios_nb.sequential import (VOC_IGNORE_INDEX, SegmentationDataset, VOCSegmentation, read_label_png,
                                 segmentation_finetune)
from adios_nb.train import pretrain
from test_ddp import TORCHRUN, _run, _torchrun
from test_resume import COMMON, CONFIG, _metrics, _train, _train_and_kill

ROOT = Path(__file__).resolve().parents[1]
SEQUENTIAL = ["method.masking=sequential", "method.n_masks=3"]
ONE_EPOCH = ["train.epochs=1"]  # ci_pretrain.yaml: 48 images, 3 steps per epoch


def test_sequential_kill_and_resume_is_bitwise_identical(tmp_path):
    # one epoch of 3 steps, killed after the second (checkpoints every step): resumes mid-epoch
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    pretrain(load_config(CONFIG, **parse_overrides(COMMON + SEQUENTIAL + ONE_EPOCH)), reference, progress=False)
    killed_at = _train_and_kill(resumed, SEQUENTIAL + ONE_EPOCH, after_step=2)
    assert not (resumed / "final.pt").exists()
    _train(resumed, SEQUENTIAL + ONE_EPOCH)
    record = json.loads((resumed / "run.json").read_text())
    assert record["status"] == "finished" and record["sessions"][1]["resumed_from_step"] >= killed_at
    expected = torch.load(reference / "final.pt", weights_only=True)["method"]
    actual = torch.load(resumed / "final.pt", weights_only=True)["method"]
    assert any(key.startswith("occluder.") for key in expected)
    different = [k for k, v in expected.items() if not torch.equal(v, actual[k])]
    assert not different, f"{len(different)} tensors differ after resume, e.g. {different[:5]}"
    assert _metrics(reference) == _metrics(resumed)
    assert "overlap_mean" in _metrics(reference)[0]


@pytest.mark.skipif(TORCHRUN is None or not torch.distributed.is_available()
                    or not torch.distributed.is_gloo_available(), reason="torchrun or gloo is not available")
def test_sequential_two_processes_take_the_same_step_as_one(tmp_path):
    # heavier penalty weights than the paper's, so that their gradients are visible in the comparison
    overrides = SEQUENTIAL + ["method.seq_alpha_overlap=0.01", "method.seq_alpha_consistency=0.01"]
    spec = importlib.util.spec_from_file_location("ddp_step", ROOT / "tests" / "ddp_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(tmp_path / "single.pt"), parse_overrides(overrides))
    _run(_torchrun(str(ROOT / "tests" / "ddp_step.py"), str(tmp_path / "ddp.pt"), *overrides))
    single = torch.load(tmp_path / "single.pt", weights_only=True)
    ddp = torch.load(tmp_path / "ddp.pt", weights_only=True)
    assert (single["world_size"], ddp["world_size"]) == (1, 2)
    for key in ("loss", "ssl_loss", "occluder_objective", "penalty", "penalty_budget", "penalty_overlap",
                "penalty_consistency", "coverage_0", "overlap_2"):
        assert abs(single["metrics"][key] - ddp["metrics"][key]) < 1e-5 * max(1.0, abs(single["metrics"][key])), key
    for name, update in single["updates"].items():
        torch.testing.assert_close(ddp["updates"][name], update, atol=1e-5, rtol=1e-4, msg=lambda m: f"{name}: {m}")
    moved = {prefix: any(name.startswith(prefix) and bool(u.abs().max() > 0) for name, u in single["updates"].items())
             for prefix in ("backbone.", "occluder.")}
    assert all(moved.values()), moved


# ------------------------------------------------------------------------------------------- Pascal VOC 2012
def _write_voc(root: Path, splits: dict, rng) -> dict:
    folder = root / "VOCdevkit" / "VOC2012"
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    labels = {}
    for split, ids in splits.items():
        (folder / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("\n".join(ids) + "\n")
        for image_id in ids:
            height, width = rng.integers(10, 20, 2)
            Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(
                folder / "JPEGImages" / f"{image_id}.jpg")
            label = rng.integers(0, 21, (height, width)).astype(np.uint8)
            label[0] = VOC_IGNORE_INDEX
            png = Image.fromarray(label, mode="P")
            png.putpalette([(7 * i) % 256 for i in range(768)])  # palette colours unrelated to the indices
            png.save(folder / "SegmentationClass" / f"{image_id}.png")
            labels[image_id] = label
    return labels


def test_voc_segmentation_reads_the_release_format(tmp_path):
    labels = _write_voc(tmp_path, {"train": ["2007_000032", "2007_000039", "2007_000063"],
                                   "val": ["2007_000033", "2007_000042"]}, np.random.default_rng(0))
    train, val = VOCSegmentation(tmp_path, "train"), VOCSegmentation(tmp_path, "val")
    assert (len(train), len(val)) == (3, 2)
    for dataset in (train, val):
        for index, image_id in enumerate(dataset.ids):
            sample = dataset[index]
            assert sample.image.dtype == torch.uint8 and sample.image.shape[0] == 3
            assert sample.image.shape[1:] == sample.segmentation.shape
            assert np.array_equal(sample.segmentation.numpy(), labels[image_id])  # indices, not palette colours
    image, label = SegmentationDataset(val, 8, train=False, normalization=((0.5,) * 3, (0.25,) * 3))[1]
    assert image.shape == (3, 8, 8) and label.shape == (8, 8) and label.dtype == torch.long
    assert set(label.unique().tolist()) <= set(range(21)) | {VOC_IGNORE_INDEX}


def test_voc_segmentation_errors_name_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"VOCdevkit/VOC2012/\{JPEGImages"):
        VOCSegmentation(tmp_path, "train")
    _write_voc(tmp_path, {"train": ["a"]}, np.random.default_rng(1))
    with pytest.raises(FileNotFoundError, match="val.txt"):
        VOCSegmentation(tmp_path, "val")
    rgb = tmp_path / "rgb.png"
    Image.fromarray(np.zeros((4, 4, 3), dtype=np.uint8)).save(rgb)
    with pytest.raises(ValueError, match="class indices"):
        read_label_png(rgb)
    bad = tmp_path / "VOCdevkit" / "VOC2012" / "SegmentationClass" / "a.png"
    Image.fromarray(np.full(read_label_png(bad).shape, 42, dtype=np.uint8), mode="L").save(bad)
    with pytest.raises(ValueError, match=r"\[42\] are not VOC classes"):
        VOCSegmentation(tmp_path, "train")[0]


def test_segmentation_finetune_on_fake_voc_ignores_the_boundary(tmp_path):
    from adios_nb.models import build_backbone
    _write_voc(tmp_path, {"train": [f"t{i}" for i in range(4)], "val": ["v0", "v1"]}, np.random.default_rng(2))
    train = SegmentationDataset(VOCSegmentation(tmp_path, "train"), 32, train=True)
    val = SegmentationDataset(VOCSegmentation(tmp_path, "val"), 32, train=False)
    result = segmentation_finetune(build_backbone("resnet18", 32)[0], train, val, n_classes=21, epochs=1,
                                   batch_size=2, progress=False)
    assert 0 <= result["miou"] <= 100 and len(result["iou_per_class"]) == 21


# ------------------------------------------------------------------------------- runs shared between the notebooks
def _run_ids(params: dict, dataset: str, maskings, seeds) -> dict:
    "{(masking, seed): run id} as the sequential paper notebooks declare their runs."
    ids = {}
    for masking in maskings:
        for seed in seeds:
            overrides = {**params["common"], **params["hparams"].get(f"{dataset}/{params['backbone']}/simclr", {}),
                         **params["masking_hparams"].get(masking, {})}  # merged as the notebooks merge them
            ids[(masking, seed)] = load_config(**overrides, **{
                "data.dataset": dataset, "model.backbone": params["backbone"], "method.name": "simclr",
                "method.masking": masking, "train.seed": seed}).run_id
    return ids


@pytest.mark.parametrize("scale", ("ci", "small", "paper"))
def test_seq_table2_transfers_the_runs_of_seq_table1(scale):
    from paper_runs import parameters
    table1, table2 = parameters("seq_table1", scale), parameters("seq_table2", scale)
    dataset = table2["pretrain_dataset"]
    assert dataset in table1["datasets"] and set(table2["seeds"]) <= set(table1["seeds"])
    assert _run_ids(table2, dataset, table2["maskings"], table2["seeds"]) == \
        _run_ids(table1, dataset, table2["maskings"], table2["seeds"])


def test_seq_table1_small_simclr_rows_are_table1s_simclr_runs():
    # small scale: the sequential tables' SimCLR baselines are the ADIOS Table 1's (same spine settings)
    from paper_runs import parameters, run_id
    seq, table1 = parameters("seq_table1", "small"), parameters("table1", "small")
    for dataset in seq["datasets"]:
        for seed in seq["seeds"]:
            assert _run_ids(seq, dataset, ["none"], [seed])[("none", seed)] == \
                run_id(table1, dataset, seq["backbone"], "simclr", "none", seed), (dataset, seed)


def test_seq_figure2_paper_adios_run_is_seq_table1s():
    from paper_runs import parameters
    table1, figure2 = parameters("seq_table1", "paper"), parameters("seq_figure2", "paper")
    key = ("adios", figure2["seed"])
    assert _run_ids(figure2, figure2["dataset"], ["adios"], [figure2["seed"]])[key] == \
        _run_ids(table1, figure2["dataset"], ["adios"], [figure2["seed"]])[key]
    # the sequential run is its own: N = 4 (the figure's caption) instead of the tables' N = 5
    assert _run_ids(figure2, figure2["dataset"], ["sequential"], [0]) != \
        _run_ids(table1, figure2["dataset"], ["sequential"], [0])
