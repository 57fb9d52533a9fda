"""The real-dataset loaders of `adios_nb.data` read tiny files written in each release format (no network),
and fail with a clear FileNotFoundError (naming the path and the layout) when the data is missing."""
import pickle

import numpy as np
import pytest
import torch
from PIL import Image
from scipy.io import savemat

from adios_nb.config import load_config
from adios_nb.data import (BG_VARIANTS, IMAGENET100_CLASSES, CIFARPickle, ClevrADIOS, Flowers102Mat,
                           INaturalistSource, STL10Binary, backgrounds_challenge_folder, build_eval_data,
                           build_pretrain_data, build_robustness_data, imagenet100, set_epoch)


def _save_image(path, rng, size=(12, 10), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    channels = {"RGB": 3, "RGBA": 4}[mode]
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], channels), dtype=np.uint8), mode).save(path)


def _cfg(dataset, root, **overrides):
    return load_config(**{"dataset": dataset, "root": str(root), "batch_size": 2, "num_workers": 0, **overrides})


# ---------------------------------------------------------------------------------------------- STL10
def _write_stl10(root, rng):
    folder = root / "stl10_binary"
    folder.mkdir(parents=True)
    images = {}
    for split, n in (("train", 3), ("test", 2), ("unlabeled", 4)):
        x = rng.integers(0, 256, (n, 3, 96, 96), dtype=np.uint8)
        images[split] = x
        x.transpose(0, 1, 3, 2).tofile(folder / f"{split}_X.bin")  # column-major channels, as released
        if split != "unlabeled":
            np.arange(1, n + 1, dtype=np.uint8).tofile(folder / f"{split}_y.bin")  # labels 1..10
    return images


def test_stl10_binary(tmp_path):
    images = _write_stl10(tmp_path, np.random.default_rng(0))
    train = STL10Binary(tmp_path, "train")
    assert len(train) == 3
    sample = train[1]
    assert sample.image.dtype == torch.uint8 and sample.image.shape == (3, 96, 96)
    assert np.array_equal(sample.image.numpy(), images["train"][1])
    assert [train[i].target for i in range(3)] == [0, 1, 2]
    both = STL10Binary(tmp_path, "train+unlabeled")
    assert len(both) == 7 and both[3].target == -1
    assert np.array_equal(both[6].image.numpy(), images["unlabeled"][3])
    loader = build_pretrain_data(_cfg("stl10", tmp_path))
    set_epoch(loader, 0)
    batches = list(loader)
    assert len(batches) == 3 and batches[0]["views"][0].shape == (2, 3, 96, 96)
    labels = torch.cat([b["label"] for b in batches])
    assert (labels == -1).sum() >= 2 and "masks" not in batches[0]
    evaluation = build_eval_data(_cfg("stl10", tmp_path))
    assert sorted(evaluation) == ["test", "train"] and len(evaluation["test"]) == 2
    image, label = evaluation["train"][0]
    assert image.shape == (3, 96, 96) and image.dtype == torch.float32 and label == 0


# ---------------------------------------------------------------------------------------------- CIFAR
def _write_cifar(root, rng):
    folder10 = root / "cifar-10-batches-py"
    folder10.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        entry = {"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8), "labels": [1, 7],
                 "batch_label": name, "filenames": ["a.png", "b.png"]}
        with open(folder10 / name, "wb") as handle:
            pickle.dump(entry, handle)
    folder100 = root / "cifar-100-python"
    folder100.mkdir(parents=True)
    for name, n in (("train", 4), ("test", 3)):
        entry = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "fine_labels": list(range(90, 90 + n)),
                 "coarse_labels": [0] * n, "filenames": ["x.png"] * n}
        with open(folder100 / name, "wb") as handle:
            pickle.dump(entry, handle)


def test_cifar_pickles(tmp_path):
    _write_cifar(tmp_path, np.random.default_rng(1))
    train10 = CIFARPickle(tmp_path, "cifar10", train=True)
    assert len(train10) == 10 and train10[0].target == 1 and train10[1].target == 7
    assert train10[0].image.shape == (3, 32, 32)
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_1", "rb") as handle:
        raw = pickle.load(handle)["data"][0]
    assert np.array_equal(train10[0].image.numpy().reshape(-1), raw)  # channel-major planes
    assert len(CIFARPickle(tmp_path, "cifar10", train=False)) == 2
    test100 = CIFARPickle(tmp_path, "cifar100", train=False)
    assert len(test100) == 3 and test100[2].target == 92
    for name in ("cifar10", "cifar100"):
        evaluation = build_eval_data(_cfg(name, tmp_path, backbone="resnet18_cifar"))
        image, label = evaluation["test"][0]
        assert image.shape == (3, 32, 32)
        loader = build_pretrain_data(_cfg(name, tmp_path, backbone="resnet18_cifar"))
        set_epoch(loader, 0)
        assert next(iter(loader))["views"][1].shape == (2, 3, 32, 32)


# ---------------------------------------------------------------------------------------------- ImageNet-100
def _write_imagenet(root, rng, folder="imagenet100", extra_class=None):
    for split in ("train", "val"):
        for wnid in list(IMAGENET100_CLASSES) + ([extra_class] if extra_class else []):
            _save_image(root / folder / split / wnid / f"{wnid}_0.JPEG", rng, size=(20, 14))


def test_imagenet100_folder(tmp_path):
    _write_imagenet(tmp_path, np.random.default_rng(2))
    val = imagenet100(tmp_path, "val")
    assert len(val) == 100 and val.classes == sorted(IMAGENET100_CLASSES)
    assert val[0].image.shape == (3, 14, 20) and val[0].image.dtype == torch.uint8
    for name, size in (("imagenet100s", 96), ("imagenet100", 224)):
        evaluation = build_eval_data(_cfg(name, tmp_path))
        image, label = evaluation["test"][5]
        assert image.shape == (3, size, size) and label == 5
    loader = build_pretrain_data(_cfg("imagenet100s", tmp_path, batch_size=4))
    set_epoch(loader, 0)
    assert next(iter(loader))["views"][0].shape == (4, 3, 96, 96)


def test_imagenet100_from_full_imagenet_reads_only_the_100_classes(tmp_path):
    _write_imagenet(tmp_path, np.random.default_rng(3), folder="imagenet", extra_class="n99999999")
    train = imagenet100(tmp_path, "train")
    assert len(train) == 100 and "n99999999" not in train.classes


def test_imagenet100_missing_class(tmp_path):
    _write_imagenet(tmp_path, np.random.default_rng(4))
    missing = sorted(IMAGENET100_CLASSES)[7]
    for file in (tmp_path / "imagenet100" / "train" / missing).iterdir():
        file.unlink()
    (tmp_path / "imagenet100" / "train" / missing).rmdir()
    with pytest.raises(FileNotFoundError, match=f"imagenet100/train/{missing} not found"):
        imagenet100(tmp_path, "train")


# ---------------------------------------------------------------------------------------------- Flowers102
def test_flowers102_mat(tmp_path):
    rng = np.random.default_rng(5)
    folder = tmp_path / "flowers-102"
    for i in range(1, 7):
        _save_image(folder / "jpg" / f"image_{i:05d}.jpg", rng, size=(16, 12))
    savemat(folder / "imagelabels.mat", {"labels": np.array([[1, 2, 3, 102, 5, 6]], dtype=np.uint8)})
    savemat(folder / "setid.mat", {"trnid": np.array([[1, 2]]), "valid": np.array([[3]]),
                                   "tstid": np.array([[4, 5, 6]])})
    test = Flowers102Mat(tmp_path, "test")
    assert len(test) == 3 and test[0].target == 101 and test[0].image.shape == (3, 12, 16)
    evaluation = build_eval_data(_cfg("flowers102", tmp_path))
    assert sorted(evaluation) == ["test", "train", "val"]
    assert len(evaluation["train"]) == 2 and evaluation["val"][0][1] == 2
    assert evaluation["test"][1][0].shape == (3, 96, 96)


# ---------------------------------------------------------------------------------------------- iNaturalist
def test_inaturalist_2021(tmp_path):
    rng = np.random.default_rng(6)
    categories = ["00000_Animalia_Chordata_Aves_Passeriformes_Corvidae_Corvus_corax",
                  "00001_Plantae_Tracheophyta_Magnoliopsida_Rosales_Rosaceae_Rosa_canina"]
    for version, n in (("2021_train_mini", 2), ("2021_valid", 1)):
        for category in categories:
            for k in range(n):
                _save_image(tmp_path / "inaturalist" / version / category / f"{k}.jpg", rng)
    train = INaturalistSource(tmp_path, "2021_train_mini")
    assert len(train) == 4 and sorted(train[i].target for i in range(4)) == [0, 0, 1, 1]
    evaluation = build_eval_data(_cfg("inaturalist", tmp_path))
    assert len(evaluation["test"]) == 2 and evaluation["test"][0][0].shape == (3, 96, 96)


# ---------------------------------------------------------------------------------------------- CLEVR
def _write_clevr(root, rng, n=10, size=24):
    folder = root / "clevr"
    (folder / "masks").mkdir(parents=True)
    shape = torch.zeros(n, 11, dtype=torch.long)
    colour = torch.zeros(n, 11, dtype=torch.long)
    for i in range(n):
        mode = "RGBA" if i % 2 else "RGB"  # the release's PNGs may carry alpha
        _save_image(folder / "images" / f"{i}.png", rng, size=(size, size), mode=mode)
        n_objects = 1 + i % 3
        for k in range(11):
            mask = np.zeros((size, size), dtype=np.uint8)
            if k == 0:
                mask[:] = 255  # the background mask (dropped by the loader)
            elif k <= n_objects:
                mask[2 * k:2 * k + 2, 3:9] = 255  # disjoint horizontal bars
                shape[i, k] = 1 + (i + k) % 3
                colour[i, k] = 1 + (i * k) % 8
            Image.fromarray(mask, "L").save(folder / "masks" / f"{i}_{k}.png")
    torch.save(shape, folder / "shape.pt")
    torch.save(colour, folder / "color.pt")
    return shape, colour


def test_clevr_adios_layout(tmp_path):
    shape, colour = _write_clevr(tmp_path, np.random.default_rng(7))
    train, val = ClevrADIOS(tmp_path, "train"), ClevrADIOS(tmp_path, "val")
    assert len(train) == 7 and len(val) == 3
    assert set(train.indices.tolist()).isdisjoint(val.indices.tolist())
    assert torch.equal(ClevrADIOS(tmp_path, "train").indices, train.indices)  # seeded split
    assert not torch.equal(ClevrADIOS(tmp_path, "train", split_seed=1).indices, train.indices)
    for index in range(len(train)):
        sample = train[index]
        image_id = int(train.indices[index])
        n_objects = int((shape[image_id] > 0).sum())
        expected = torch.zeros(24)
        for k in range(1, n_objects + 1):
            expected[colour[image_id, k] + 8 * (shape[image_id, k] - 1) - 1] = 1  # the official formula
        assert torch.equal(sample.target, expected)
        assert sample.image.shape == (3, 24, 24)
        assert sorted(sample.segmentation.unique().tolist()) == list(range(n_objects + 1))
        assert (sample.segmentation[2:4, 3:9] == 1).all()
    loader = build_pretrain_data(_cfg("clevr", tmp_path))
    set_epoch(loader, 0)
    batch = next(iter(loader))
    assert batch["views"][0].shape == (2, 3, 64, 64) and batch["masks"].shape == (2, 2, 10, 64, 64)
    assert batch["label"].shape == (2, 24) and batch["views"][0].max() <= 1.0  # no normalisation
    assert (batch["masks"].sum(2) <= 1).all()
    evaluation = build_eval_data(_cfg("clevr", tmp_path), with_masks=True)
    image, target, masks = evaluation["test"][0]
    assert image.shape == (3, 64, 64) and target.shape == (24,) and masks.shape == (10, 64, 64)


# ---------------------------------------------------------------------------------------------- Backgrounds
def test_backgrounds_challenge_release(tmp_path):
    rng = np.random.default_rng(8)
    classes = ["00_dog", "01_bird", "02_wheeled vehicle"]
    for variant in BG_VARIANTS:
        for name in classes:
            _save_image(tmp_path / "bg_challenge" / variant / "val" / name / f"{variant}_{name}.JPEG", rng)
    for name in classes:
        _save_image(tmp_path / "bg_challenge" / "original" / "train" / name / "a.JPEG", rng)
    mixed = backgrounds_challenge_folder(tmp_path, "mixed_next")
    assert mixed.classes == classes and [mixed[i].target for i in range(3)] == [0, 1, 2]
    cfg = _cfg("backgrounds", tmp_path)
    assert len(build_eval_data(cfg)["train"]) == 3
    variants = build_robustness_data(cfg)
    assert sorted(variants) == sorted(BG_VARIANTS)
    assert variants["only_fg"][2][0].shape == (3, 96, 96) and variants["only_fg"][2][1] == 2


# ---------------------------------------------------------------------------------------------- missing data
@pytest.mark.parametrize("make, expected", [
    (lambda root: STL10Binary(root, "train+unlabeled"), "stl10_binary/train_X.bin"),
    (lambda root: STL10Binary(root, "test"), "stl10_binary/test_X.bin"),
    (lambda root: CIFARPickle(root, "cifar10", True), "cifar-10-batches-py/data_batch_1"),
    (lambda root: CIFARPickle(root, "cifar100", False), "cifar-100-python/test"),
    (lambda root: imagenet100(root, "train"), "imagenet100/train"),
    (lambda root: Flowers102Mat(root, "train"), "flowers-102/imagelabels.mat"),
    (lambda root: INaturalistSource(root, "2021_valid"), "inaturalist/2021_valid"),
    (lambda root: ClevrADIOS(root, "train"), "clevr/shape.pt"),
    (lambda root: backgrounds_challenge_folder(root, "mixed_rand"), "bg_challenge/mixed_rand/val"),
])
def test_missing_data_names_path_and_layout(tmp_path, make, expected):
    with pytest.raises(FileNotFoundError) as error:
        make(tmp_path)
    message = str(error.value)
    assert expected in message and "Expected layout" in message and "never downloaded" in message


@pytest.mark.parametrize("dataset", ["stl10", "imagenet100s", "imagenet100", "cifar10", "cifar100", "flowers102",
                                     "inaturalist", "clevr", "backgrounds"])
def test_missing_data_from_the_builders(tmp_path, dataset):
    cfg = _cfg(dataset, tmp_path)
    with pytest.raises(FileNotFoundError, match="Expected layout"):
        build_eval_data(cfg)
    with pytest.raises(FileNotFoundError, match="Expected layout"):
        build_pretrain_data(cfg)


def test_missing_clevr_mask_file(tmp_path):
    _write_clevr(tmp_path, np.random.default_rng(9), n=4)
    (tmp_path / "clevr" / "masks" / "0_3.png").unlink()
    dataset = ClevrADIOS(tmp_path, "train", split_seed=0)
    position = dataset.indices.tolist().index(0) if 0 in dataset.indices.tolist() else None
    if position is None:
        dataset = ClevrADIOS(tmp_path, "val", split_seed=0)
        position = dataset.indices.tolist().index(0)
    with pytest.raises(FileNotFoundError, match="masks/0_3.png not found"):
        dataset[position]


# ---------------------------------------------------------------------------------------------- workers
def test_workers_give_the_same_batches(tmp_path):
    overrides = dict(n_unlabeled=24, n_train=8, n_test=8, img_size=32, batch_size=8)
    batches = {}
    for workers in (0, 2):
        loader = build_pretrain_data(load_config(dataset="shapes", root=str(tmp_path), num_workers=workers,
                                                 **overrides))
        set_epoch(loader, 3, start_batch=1)
        batches[workers] = list(loader)
    assert len(batches[0]) == len(batches[2]) == 3
    for a, b in zip(batches[0], batches[2]):
        assert torch.equal(a["index"], b["index"]) and torch.equal(a["views"][0], b["views"][0])
        assert torch.equal(a["masks"], b["masks"])


# ---------------------------------------------------------------------------------------------- pickling
def test_sources_pickle_small(tmp_path):
    """DataLoader workers started with `spawn` (macOS, Windows) receive pickled datasets: every real source
    must pickle, and STL10 must not drag its memory-mapped images along."""
    rng = np.random.default_rng(10)
    _write_stl10(tmp_path, rng)
    _write_imagenet(tmp_path, rng)
    _write_clevr(tmp_path, rng, n=4)
    stl10 = STL10Binary(tmp_path, "train+unlabeled")
    stl10[0]  # opens the memory maps
    payload = pickle.dumps(stl10)
    assert len(payload) < 10_000
    assert torch.equal(pickle.loads(payload)[5].image, stl10[5].image)
    for source in (imagenet100(tmp_path, "val"), ClevrADIOS(tmp_path, "train")):
        assert torch.equal(pickle.loads(pickle.dumps(source))[0].image, source[0].image)
    loader = build_pretrain_data(_cfg("stl10", tmp_path))
    assert pickle.loads(pickle.dumps(loader.dataset))[(0, 0)]["views"][0].shape == (3, 96, 96)


# ---------------------------------------------------------------------------------------------- untrusted and damaged files
class _RunsAShellCommand:
    "Pickles as a call of os.system: what a crafted CIFAR batch file can hold."

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.marker}",))


def test_cifar_pickle_refuses_code(tmp_path):
    _write_cifar(tmp_path, np.random.default_rng(5))
    marker = tmp_path / "marker"
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_1"
    with open(batch, "wb") as handle:
        pickle.dump({b"data": _RunsAShellCommand(marker), b"labels": [0]}, handle, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"data_batch_1: refused to load the global (posix|os|nt)\.system"):
        CIFARPickle(tmp_path, "cifar10", train=True)
    assert not marker.exists()
    with open(batch, "wb") as handle:  # the global hidden in a protocol-4 pickle (STACK_GLOBAL) is refused too
        pickle.dump([_RunsAShellCommand(marker)], handle, protocol=4)
    with pytest.raises(pickle.UnpicklingError, match="refused to load the global"):
        CIFARPickle(tmp_path, "cifar10", train=True)
    assert not marker.exists()


def test_cifar_pickle_reads_the_released_format(tmp_path):
    "Python-2 style files: bytes keys, protocol 2 (numpy bytes through _codecs.encode), and later protocols."
    rng = np.random.default_rng(6)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for protocol in (2, 3, 4, 5):
        data = {}
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            data[name] = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
            entry = {b"batch_label": b"training batch 1 of 5", b"labels": [3, 0, 9], b"data": data[name],
                     b"filenames": [b"a.png", b"b.png", b"c.png"]}
            with open(folder / name, "wb") as handle:
                pickle.dump(entry, handle, protocol=protocol)
        train = CIFARPickle(tmp_path, "cifar10", train=True)
        assert len(train) == 15 and [train[i].target for i in range(3)] == [3, 0, 9]
        assert np.array_equal(train[4].image.numpy().reshape(-1), data["data_batch_2"][1])
    folder100 = tmp_path / "cifar-100-python"
    folder100.mkdir()
    for name in ("train", "test"):
        entry = {b"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8), b"fine_labels": [42, 7],
                 b"coarse_labels": [1, 2], b"filenames": [b"x.png", b"y.png"], b"batch_label": b"x"}
        with open(folder100 / name, "wb") as handle:
            pickle.dump(entry, handle, protocol=2)
    assert CIFARPickle(tmp_path, "cifar100", train=False)[0].target == 42


@pytest.mark.parametrize("content, expected", [
    (b"this is not a pickle", "data_batch_3 is not a CIFAR pickle"),
    (None, "data_batch_3 is not a CIFAR pickle"),  # truncated
    (pickle.dumps({"labels": [1]}), "data_batch_3 is not a CIFAR pickle: it has no 'data' entry"),
    (pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [1, 2]}), r"must be a \(N, 3072\) uint8 array"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [1]}), "one int label per image"),
])
def test_damaged_cifar_file_is_named(tmp_path, content, expected):
    _write_cifar(tmp_path, np.random.default_rng(7))
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:100] if content is None else content)
    with pytest.raises(ValueError, match=expected):
        CIFARPickle(tmp_path, "cifar10", train=True)


@pytest.mark.parametrize("split, file, cut, expected", [
    ("train+unlabeled", "unlabeled_X.bin", 1000, r"unlabeled_X.bin holds 109,592 bytes, not a whole number of "
                                                 r"96x96x3 images \(27,648 bytes each\): 3 images and 26,648 bytes"),
    ("train", "train_X.bin", 27648, r"train_y.bin holds 3 labels but .*train_X.bin holds 2 images"),
    ("test", "test_X.bin", 5, "test_X.bin holds 55,291 bytes, not a whole number"),
    ("test", "test_y.bin", 1, r"test_y.bin holds 1 labels but .*test_X.bin holds 2 images"),
])
def test_truncated_stl10_file_is_named(tmp_path, split, file, cut, expected):
    _write_stl10(tmp_path, np.random.default_rng(8))
    path = tmp_path / "stl10_binary" / file
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(ValueError, match=expected):
        STL10Binary(tmp_path, split)


def test_stl10_label_file_out_of_range(tmp_path):
    _write_stl10(tmp_path, np.random.default_rng(9))
    np.array([1, 11, 3], dtype=np.uint8).tofile(tmp_path / "stl10_binary" / "train_y.bin")
    with pytest.raises(ValueError, match="train_y.bin holds labels outside 1-10"):
        STL10Binary(tmp_path, "train")


def test_damaged_mat_file_is_named(tmp_path):
    folder = tmp_path / "flowers-102"
    (folder / "jpg").mkdir(parents=True)
    (folder / "imagelabels.mat").write_bytes(b"garbage, not MATLAB")
    savemat(folder / "setid.mat", {"trnid": np.array([[1]]), "valid": np.array([[1]]), "tstid": np.array([[1]])})
    with pytest.raises(ValueError, match="imagelabels.mat is not a readable MATLAB file"):
        Flowers102Mat(tmp_path, "train")


def test_verify_names_a_truncated_jpeg_and_exits_1(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path
    rng = np.random.default_rng(10)
    for split in ("train", "val"):
        for k in range(2):
            _save_image(tmp_path / "bg_challenge" / "original" / split / "00_dog" / f"{k}.JPEG", rng)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "adios_nb.data", "--verify", "backgrounds", "--root", str(tmp_path)]
    good = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "all 4 image files decode" in good.stdout
    bad = tmp_path / "bg_challenge" / "original" / "train" / "00_dog" / "1.JPEG"
    bad.write_bytes(bad.read_bytes()[:120])
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"BAD {bad}:" in result.stdout and "0.JPEG" not in result.stdout
    source = backgrounds_challenge_folder(tmp_path, "original", "train")
    with pytest.raises(OSError, match=r"1.JPEG: cannot read this image .*--verify"):
        source[1]
