"""The UCI Heart and Splice loaders of `adios_nb.label_noise`, on tiny files written in the real UCI layouts."""
from pathlib import Path

import numpy as np
import pytest

from adios_nb.label_noise import (load_tabular, load_uci_heart, load_uci_splice, split_tabular, UCI_HEART_FILE,
                                  UCI_SPLICE_FILE)

# Five rows in the layout of UCI `processed.cleveland.data` (the first two are the file's real first rows);
# 14 comma-separated values: 13 attributes, then num in 0-4; '?' marks a missing value.
HEART_ROWS = """\
63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,3.0,0.0,6.0,0
67.0,1.0,4.0,160.0,286.0,0.0,2.0,108.0,1.0,1.5,2.0,3.0,3.0,2
41.0,0.0,2.0,130.0,204.0,0.0,2.0,172.0,0.0,1.4,1.0,?,3.0,0
56.0,1.0,3.0,130.0,256.0,1.0,2.0,142.0,1.0,0.6,2.0,1.0,?,4
44.0,1.0,2.0,120.0,263.0,0.0,0.0,173.0,0.0,0.0,1.0,0.0,7.0,1
"""

# Three rows in the layout of UCI `splice.data`: class, instance name, 60-letter sequence, with the padding
# spaces of the real file; the third sequence contains the ambiguity codes N, D, S and R.
SPLICE_ROWS = """\
EI,       ATRINS-DONOR-521,        CCAGCTGCATCACAGGAGGCCAGCGAGCAGGTCTGTTCCAAGGGCCTTCGAGCCAGTCTG
IE,        ATRINS-ACC-1,           TCTCTTCCCCAGGGCCTGTCTCCAAGGCCCCCGCCCCAGCCAGCTCTACAGCAGATCATG
N,     HUMZNF24-NEG-1,             NDSRGTCCATGGACATCCACATGCAGGCTGCTTAAGGAGAGAAAGAGCCATGCGGGTGCA
"""


def write(root: Path, relative: Path, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_heart_layout_and_target(tmp_path):
    write(tmp_path, UCI_HEART_FILE, HEART_ROWS)
    data = load_uci_heart(tmp_path)
    assert data.features.shape == (5, 13) and data.n_classes == 2
    assert data.labels.tolist() == [0, 1, 0, 1, 1]  # num > 0 means disease
    assert data.features[0, 0] == 63.0 and data.features[1, 3] == 160.0
    assert np.isnan(data.features[2, 11]) and np.isnan(data.features[3, 12])  # '?' becomes NaN
    assert np.isfinite(np.delete(data.features, [11, 12], axis=1)).all()


def test_heart_rejects_malformed_rows(tmp_path):
    write(tmp_path, UCI_HEART_FILE, HEART_ROWS + "1.0,2.0,3.0\n")
    with pytest.raises(ValueError, match="expected 14 comma-separated values"):
        load_uci_heart(tmp_path)


def test_splice_layout_and_encoding(tmp_path):
    write(tmp_path, UCI_SPLICE_FILE, SPLICE_ROWS)
    data = load_uci_splice(tmp_path)
    assert data.features.shape == (3, 240) and data.n_classes == 3
    assert data.labels.tolist() == [0, 1, 2]  # EI, IE, N
    first = data.features[0].reshape(60, 4)
    assert first[0].tolist() == [0, 1, 0, 0] and first[2].tolist() == [1, 0, 0, 0]  # C, then A at position 3
    np.testing.assert_allclose(data.features.reshape(3, 60, 4).sum(axis=2), 1.0, rtol=1e-6)  # weights sum to 1
    ambiguous = data.features[2].reshape(60, 4)[:4]  # N, D, S, R
    np.testing.assert_allclose(ambiguous, [[0.25] * 4, [1 / 3, 0, 1 / 3, 1 / 3], [0, 0.5, 0.5, 0], [0.5, 0, 0.5, 0]],
                               rtol=1e-6)


def test_splice_rejects_unknown_class_and_letters(tmp_path):
    write(tmp_path, UCI_SPLICE_FILE, "XX, NAME, ACGT\n")
    with pytest.raises(ValueError, match="class in"):
        load_uci_splice(tmp_path)
    (tmp_path / UCI_SPLICE_FILE).write_text("EI, NAME, ACGZ\n")
    with pytest.raises(ValueError, match="unknown nucleotide code 'Z'"):
        load_uci_splice(tmp_path)


def test_missing_files_name_path_and_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"uci/heart/processed\.cleveland\.data"):
        load_uci_heart(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"uci/splice/splice\.data") as error:
        load_tabular("uci_splice", tmp_path)
    assert str(tmp_path) in str(error.value) and "stand-in" in str(error.value)


def test_real_layout_feeds_the_split(tmp_path):
    rows = HEART_ROWS.splitlines()
    write(tmp_path, UCI_HEART_FILE, "\n".join(rows * 8) + "\n")  # 40 rows, two classes
    splits = split_tabular(load_uci_heart(tmp_path), seed=0, test_fraction=0.25, val_fraction=0.0)
    assert len(splits.test_labels) == 10 and splits.val_labels is None
    assert np.isfinite(splits.train_features.numpy()).all()  # missing values imputed with training medians
