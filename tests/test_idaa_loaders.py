"""IDAA's real-dataset loaders (miniImageNet's CSV-split release, ImageNet-1k, DTD, FGVC-Aircraft, Oxford-IIIT Pets)
read tiny files written in each release layout (no network), and fail with a FileNotFoundError that names the
missing path and the expected layout when the data is missing."""
import numpy as np
import pytest
import torch
from PIL import Image

from adios_nb.config import load_config
from adios_nb.data import MiniImageNetCSV, build_eval_data, build_pretrain_data, imagenet, set_epoch, transfer_target


def _save_image(path, rng, size=(10, 8)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)


def _cfg(dataset, root, **overrides):
    return load_config(**{"dataset": dataset, "root": str(root), "batch_size": 2, "num_workers": 0,
                          "backbone": "resnet18_cifar", "img_size": 16, **overrides})


# ---------------------------------------------------------------------------------------------- miniImageNet
WNIDS = {"train": ["n01532829", "n01558993"], "val": ["n01855672"], "test": ["n01930112"]}


def _write_miniimagenet(root, rng, per_class=4, header=True, size=84):
    folder = root / "miniimagenet"
    for split, wnids in WNIDS.items():
        lines = ["filename,label"] if header else []
        for wnid in wnids:
            for i in range(per_class):
                name = f"{wnid}{i:08d}.jpg"
                _save_image(folder / "images" / name, rng, size=(size, size))
                lines.append(f"{name},{wnid}")
        (folder / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize("header", [True, False])
def test_miniimagenet_pools_the_csv_splits_and_holds_out_per_class(tmp_path, header):
    _write_miniimagenet(tmp_path, np.random.default_rng(0), header=header)
    train, test = MiniImageNetCSV(tmp_path, "train", test_per_class=1), MiniImageNetCSV(tmp_path, "test", test_per_class=1)
    all_wnids = sorted(w for ws in WNIDS.values() for w in ws)
    assert train.classes == test.classes == all_wnids  # 4 classes, labels in sorted-wnid order
    assert len(train) == 4 * 3 and len(test) == 4 * 1
    assert sorted(train.labels.tolist()) == sorted([0, 1, 2, 3] * 3) and sorted(test.labels.tolist()) == [0, 1, 2, 3]
    assert not set(train.files) & set(test.files)  # disjoint images, the same classes
    assert all(name.endswith("00000003.jpg") for name in test.files)  # the last file name of each class
    sample = train[0]
    assert sample.image.dtype == torch.uint8 and sample.image.shape == (3, 84, 84)
    assert sample.target == int(train.labels[0])
    released = MiniImageNetCSV(tmp_path, "csv:val")
    assert released.classes == WNIDS["val"] and len(released) == 4


def test_miniimagenet_through_the_builders(tmp_path):
    _write_miniimagenet(tmp_path, np.random.default_rng(1), per_class=102, size=12)
    cfg = _cfg("miniimagenet", tmp_path, img_size=32, backbone="resnet18", batch_size=4)
    loader = build_pretrain_data(cfg)
    set_epoch(loader, 0)
    batch = next(iter(loader))
    assert batch["views"][0].shape == (4, 3, 32, 32) and batch["label"].max() < 4
    evaluation = build_eval_data(cfg)
    assert len(evaluation["train"]) == 4 * 2 and len(evaluation["test"]) == 4 * 100  # default: 100 test images
    image, label = evaluation["test"][0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and 0 <= label < 4


def test_miniimagenet_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"miniimagenet.*train\.csv.*filename,label"):
        MiniImageNetCSV(tmp_path, "train")
    folder = _write_miniimagenet(tmp_path, np.random.default_rng(2))
    with pytest.raises(ValueError, match="cannot hold out"):
        MiniImageNetCSV(tmp_path, "train")  # 4 images per class, 100 to hold out
    with pytest.raises(ValueError, match="Accepted: train, test, csv:train"):
        MiniImageNetCSV(tmp_path, "validation")
    (folder / "val.csv").write_text("filename,label\nonly_a_name.jpg\n")
    with pytest.raises(ValueError, match="filename,label"):
        MiniImageNetCSV(tmp_path, "csv:val")


# ---------------------------------------------------------------------------------------------- ImageNet-1k
def test_imagenet_class_folders(tmp_path):
    rng = np.random.default_rng(3)
    for split in ("train", "val"):
        for wnid in ("n01440764", "n01443537"):
            _save_image(tmp_path / "imagenet" / split / wnid / f"{wnid}_{split}.JPEG", rng)
    train = imagenet(tmp_path, "train")
    assert len(train) == 2 and [train[i].target for i in range(2)] == [0, 1]
    assert train[0].image.shape == (3, 8, 10)
    evaluation = build_eval_data(_cfg("imagenet", tmp_path, img_size=32, backbone="resnet18"))
    assert len(evaluation["test"]) == 2 and evaluation["test"][0][0].shape == (3, 32, 32)
    with pytest.raises(FileNotFoundError, match=r"imagenet.*\{train,val\}/<wnid>"):
        imagenet(tmp_path / "nothing", "train")


# ---------------------------------------------------------------------------------------------- DTD, Aircraft, Pets
def _write_dtd(root, rng):
    folder = root / "dtd" / "dtd"
    lines = {"train": [], "val": [], "test": []}
    for cls in ("banded", "dotted"):
        for i, split in enumerate(("train", "val", "test")):
            name = f"{cls}_{i:04d}.jpg"
            _save_image(folder / "images" / cls / name, rng)
            lines[split].append(f"{cls}/{name}")
    (folder / "labels").mkdir(parents=True)
    for split, rows in lines.items():
        (folder / "labels" / f"{split}1.txt").write_text("\n".join(rows) + "\n")


def _write_aircraft(root, rng):
    data = root / "fgvc-aircraft-2013b" / "data"
    (data / "images").mkdir(parents=True)
    (data / "variants.txt").write_text("707-320\nA300B4\n")
    rows = {"trainval": ["0000001 707-320", "0000002 A300B4"], "test": ["0000003 A300B4"]}
    for split, lines in rows.items():
        (data / f"images_variant_{split}.txt").write_text("\n".join(lines) + "\n")
        for line in lines:
            _save_image(data / "images" / f"{line.split()[0]}.jpg", rng)


def _write_pets(root, rng):
    base = root / "oxford-iiit-pet"
    rows = {"trainval": ["Abyssinian_1 1 1 1", "beagle_2 2 2 1"], "test": ["beagle_3 2 2 1"]}
    (base / "annotations").mkdir(parents=True)
    for split, lines in rows.items():
        (base / "annotations" / f"{split}.txt").write_text("\n".join(lines) + "\n")
        for line in lines:
            _save_image(base / "images" / f"{line.split()[0]}.jpg", rng)


@pytest.mark.parametrize("name, write, n_train, n_test", [
    ("dtd", _write_dtd, 4, 2),  # train1 + val1 for training
    ("aircraft", _write_aircraft, 2, 1),
    ("pets", _write_pets, 2, 1),
])
def test_transfer_targets(tmp_path, name, write, n_train, n_test):
    write(tmp_path, np.random.default_rng(4))
    train, test = transfer_target(name, tmp_path, "train"), transfer_target(name, tmp_path, "test")
    assert (len(train), len(test)) == (n_train, n_test)
    sample = train[1]
    assert sample.image.dtype == torch.uint8 and sample.image.shape == (3, 8, 10) and sample.target in (0, 1)
    assert sorted(train[i].target for i in range(len(train))) == sorted([0, 1] * (n_train // 2))
    evaluation = build_eval_data(_cfg(name, tmp_path, img_size=32))
    image, label = evaluation["test"][0]
    assert image.shape == (3, 32, 32) and label in (0, 1)


@pytest.mark.parametrize("name, expected", [("dtd", "dtd/dtd/images"), ("aircraft", "fgvc-aircraft-2013b"),
                                            ("pets", "oxford-iiit-pet/images")])
def test_missing_transfer_target_names_path_and_layout(tmp_path, name, expected):
    with pytest.raises(FileNotFoundError, match=rf"{name}: .*{expected}.* not found.*Expected layout"):
        transfer_target(name, tmp_path, "train")


def test_transfer_targets_are_evaluation_only(tmp_path):
    with pytest.raises(Exception, match="no pre-training data"):
        build_pretrain_data(_cfg("dtd", tmp_path, img_size=32))
