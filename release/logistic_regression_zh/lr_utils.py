"""Load the cat / non-cat dataset (numpy + h5py only).

``load_dataset()`` looks for ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` in:

1. the folder given as argument, else
2. the folder named by the environment variable ``CATVNONCAT_DATA``, else
3. a ``datasets/`` folder in the working directory or any folder above it, else
4. its download cache (``CATVNONCAT_CACHE``, else ``~/.cache/catvnoncat``): when the files are
   not there yet, it downloads them once from the mirror named by ``CATVNONCAT_MIRROR`` (a
   folder or an http(s) base URL), else from the public origin below, and checks each file's
   sha256 against :data:`SHA256` before keeping it. So the assignment folder alone is enough.

When the notebook has imported matplotlib before this module (its packages cell does), plots get
a font list that falls back glyph by glyph to a Chinese font where one is installed (the Chinese
edition's titles and labels): see :func:`use_cjk_fonts`.
"""

import hashlib
import os
import sys
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import h5py
import numpy as np

DATA_ENV = "CATVNONCAT_DATA"
MIRROR_ENV = "CATVNONCAT_MIRROR"
CACHE_ENV = "CATVNONCAT_CACHE"
#: Public origin of the files, pinned to a commit (the one in the course's datasets/README.md).
DEFAULT_MIRROR = ("https://raw.githubusercontent.com/Hiren2002/Logistic-Regression/"
                  "a6139a838a0e624f4ab923377df0c5d3386fdf1f/datasets/")
# BEGIN SHA256SUMS (generated from the course's datasets/SHA256SUMS: do not edit by hand)
SHA256 = {
    "test_catvnoncat.h5": "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
    "train_catvnoncat.h5": "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
}
# END SHA256SUMS
IMAGE_SHAPE = (64, 64, 3)
FILES = {
    "train": ("train_catvnoncat.h5", "train_set_x", "train_set_y"),
    "test": ("test_catvnoncat.h5", "test_set_x", "test_set_y"),
}
HOW_TO_FETCH = (
    "To get the files: run load_dataset() with network access (it downloads them once, from "
    f"${MIRROR_ENV} if set, else from the public origin), or put train_catvnoncat.h5 and "
    "test_catvnoncat.h5 in a `datasets/` folder next to this notebook, or set the environment "
    f"variable {DATA_ENV} to the folder that holds them (in the course repository: `make data`)."
)
#: How to set the mirror where students work: inside a running notebook, not in a shell.
SET_IN_JUPYTER = (f"in the notebook, run `%env {MIRROR_ENV}=<folder or URL>` in a cell, then run "
                  "the cell with load_dataset() again.")
_TIMEOUT_S = 60


class DatasetError(RuntimeError):
    """The dataset files are missing, unreadable or not what this exercise expects."""


def cache_dir():
    """The download cache: ``$CATVNONCAT_CACHE``, else ``$XDG_CACHE_HOME/catvnoncat``, else
    ``~/.cache/catvnoncat`` (outside the assignment folder: nothing extra is handed in)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "catvnoncat"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _source(mirror, name):
    if mirror.startswith(("http://", "https://")):
        return urllib.parse.urljoin(mirror.rstrip("/") + "/", urllib.parse.quote(name))
    if mirror.startswith("file://"):
        mirror = urllib.request.url2pathname(urllib.parse.urlparse(mirror).path)
    return str(Path(mirror).expanduser() / name)


def download(name, folder, mirror=None):
    """Download ``name`` from ``mirror`` into ``folder``, check its sha256, keep it.

    The file is written under a temporary name and renamed only once its checksum is right, so
    a failed download leaves nothing behind. Raises DatasetError saying what to do.
    """
    mirror = mirror or os.environ.get(MIRROR_ENV) or DEFAULT_MIRROR
    source = _source(mirror, name)
    if os.environ.get(MIRROR_ENV) == mirror:
        where = f"Check your network and {MIRROR_ENV} (now {mirror!r})"
    else:
        where = f"{MIRROR_ENV} is not set, so the public origin was used. Check your network"
    advice = (f"{where}, or set {MIRROR_ENV} to a folder or URL that holds the two files (your "
              f"instructor can tell you one): {SET_IN_JUPYTER} {HOW_TO_FETCH}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                if source.startswith(("http://", "https://")):
                    with urllib.request.urlopen(source, timeout=_TIMEOUT_S) as response:
                        shutil.copyfileobj(response, out)
                else:
                    with open(source, "rb") as src:
                        shutil.copyfileobj(src, out)
            except urllib.error.HTTPError as e:
                raise DatasetError(f"Could not download {name}: {source} answered HTTP {e.code} "
                                   f"{e.reason}. {advice}") from None
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
                raise DatasetError(f"Could not download {name} from {source} ({reason}). "
                                   f"{advice}") from None
        actual = _sha256(tmp)
        if actual != SHA256[name]:
            raise DatasetError(
                f"The copy of {name} from {source} is not the expected file (sha256 {actual}, "
                f"expected {SHA256[name]}): the source holds a corrupted or different file. "
                f"{advice}")
        os.replace(tmp, folder / name)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return folder / name


def _cached_or_downloaded():
    """The cache folder, after downloading any file missing there or not matching SHA256."""
    folder = cache_dir()
    for name in SHA256:
        path = folder / name
        found = _sha256(path) if path.is_file() else None
        if found == SHA256[name]:
            continue
        try:
            download(name, folder)
        except DatasetError as error:
            if found is None:
                raise
            raise DatasetError(  # say what is wrong here before what went wrong there
                f"The cached copy {path} is corrupt (sha256 {found}, expected {SHA256[name]}), "
                f"and a fresh copy could not be fetched: {error}") from None
    return folder


def find_data_dir(data_dir=None):
    """Return the folder holding the two .h5 files (see the module docstring for the order);
    raise DatasetError saying what to do when they cannot be found nor downloaded."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV)
    if data_dir is not None:
        return Path(data_dir)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "datasets"
        if (candidate / FILES["train"][0]).is_file():
            return candidate
    return _cached_or_downloaded()


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


#: Chinese fonts tried for plots, by family name (Linux, Windows, macOS), then by file (fonts
#: installed after matplotlib built its font cache are only found by path).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "Microsoft YaHei",
                "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")
CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf",
             "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc")


def use_cjk_fonts():
    """Let matplotlib draw Chinese text: DejaVu Sans first, then the first Chinese font found.

    Matplotlib (3.6 and later) falls back glyph by glyph along ``font.family``; only installed
    fonts are listed (a missing one would log a warning on every plot). Returns the Chinese
    family used, or None when the machine has none (Chinese text then shows as boxes: install
    one, e.g. ``apt-get install fonts-noto-cjk``).
    """
    from matplotlib import font_manager, rcParams

    known = {font.name for font in font_manager.fontManager.ttflist}
    family = next((name for name in CJK_FAMILIES if name in known), None)
    for path in CJK_FILES if family is None else ():
        if os.path.isfile(path):
            font_manager.fontManager.addfont(path)
            family = font_manager.get_font(path).family_name
            break
    if family is not None:
        rcParams["font.family"] = ["DejaVu Sans", family]
    return family


if "matplotlib" in sys.modules:
    use_cjk_fonts()
