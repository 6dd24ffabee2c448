"""Load the cat / non-cat dataset (numpy + h5py only).

``load_dataset()`` looks for ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` in:

1. the folder given as argument, else
2. the folder named by the environment variable ``CATVNONCAT_DATA``, else
3. a ``datasets/`` folder in the working directory or any folder above it.
"""

import os
from pathlib import Path

import h5py
import numpy as np

DATA_ENV = "CATVNONCAT_DATA"
IMAGE_SHAPE = (64, 64, 3)
FILES = {
    "train": ("train_catvnoncat.h5", "train_set_x", "train_set_y"),
    "test": ("test_catvnoncat.h5", "test_set_x", "test_set_y"),
}
HOW_TO_FETCH = (
    "To get the files: in the course repository run `make data` (or "
    "`python -m catvnoncat fetch-data`); otherwise put train_catvnoncat.h5 and "
    "test_catvnoncat.h5 in a `datasets/` folder next to this notebook, or set the "
    f"environment variable {DATA_ENV} to the folder that holds them."
)


class DatasetError(RuntimeError):
    """The dataset files are missing, unreadable or not what this exercise expects."""


def find_data_dir(data_dir=None):
    """Return the folder holding the two .h5 files, or raise DatasetError saying where it looked."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV)
    if data_dir is not None:
        return Path(data_dir)
    here = Path.cwd().resolve()
    looked = []
    for folder in (here, *here.parents):
        candidate = folder / "datasets"
        looked.append(str(candidate))
        if (candidate / FILES["train"][0]).is_file():
            return candidate
    raise DatasetError(
        f"Could not find {FILES['train'][0]}: no datasets/ folder with it in "
        f"{here} or any folder above it. {HOW_TO_FETCH}"
    )


def _read(path, x_key, y_key):
    if not path.is_file():
        raise DatasetError(f"{path} does not exist. {HOW_TO_FETCH}")
    try:
        with h5py.File(path, "r") as f:
            x = np.array(f[x_key][:])
            y = np.array(f[y_key][:])
            classes = np.array(f["list_classes"][:])
    except (OSError, KeyError) as e:
        raise DatasetError(
            f"{path} is not a readable cat / non-cat HDF5 file ({e}). It is probably corrupted "
            f"or truncated: delete it and fetch it again. {HOW_TO_FETCH}"
        ) from None
    m = x.shape[0] if x.ndim else 0
    if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE or x.dtype != np.uint8 or y.shape != (m,):
        raise DatasetError(
            f"{path} holds {x_key} of shape {x.shape} ({x.dtype}) and {y_key} of shape "
            f"{y.shape}; expected (m, 64, 64, 3) uint8 images and (m,) labels. "
            f"Delete it and fetch it again. {HOW_TO_FETCH}"
        )
    return x, y, classes


def load_dataset(data_dir=None):
    """Load the training and test sets.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding the two files (see the module docstring for the default).

    Returns
    -------
    train_set_x_orig : ndarray of shape (m_train, 64, 64, 3), uint8
    train_set_y : ndarray of shape (1, m_train)
        Labels: 1 for cat, 0 for non-cat.
    test_set_x_orig : ndarray of shape (m_test, 64, 64, 3), uint8
    test_set_y : ndarray of shape (1, m_test)
    classes : ndarray of shape (2,)
        ``[b'non-cat', b'cat']``.
    """
    folder = find_data_dir(data_dir)
    train_x, train_y, classes = _read(folder / FILES["train"][0], *FILES["train"][1:])
    test_x, test_y, _ = _read(folder / FILES["test"][0], *FILES["test"][1:])
    return (train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes)
