"""The cat / non-cat data: where it lives, how it is fetched and verified, how it is loaded.

The files are never committed. ``datasets/SHA256SUMS`` (committed) names them and their
checksums; :func:`fetch_data` copies them from a mirror (a local folder or an http(s) base
URL, from the ``CATVNONCAT_MIRROR`` environment variable, else the public default) into
``datasets/``. A file is written to a temporary name, verified, then renamed: a failed fetch
leaves the previous state untouched and no partial file behind.
"""

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

#: Environment variable naming the mirror: a folder, a file:// URL or an http(s) base URL.
MIRROR_ENV = "CATVNONCAT_MIRROR"
#: Environment variable naming the folder that holds the .h5 files (read by lr_utils too).
DATA_ENV = "CATVNONCAT_DATA"
#: Public origin of the files, pinned to a commit (same bytes as the course mirror).
DEFAULT_MIRROR = ("https://raw.githubusercontent.com/Hiren2002/Logistic-Regression/"
                  "a6139a838a0e624f4ab923377df0c5d3386fdf1f/datasets/")

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS_DIR = REPO_ROOT / "datasets"

_CHUNK = 1 << 16
_TIMEOUT_S = 60


class FetchError(RuntimeError):
    """A data file could not be fetched or verified; the message says what to do."""


def read_checksums(path=None):
    """Parse a ``SHA256SUMS`` file into ``{file name: hex digest}``.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``datasets/SHA256SUMS`` of this repository.
    """
    path = Path(path) if path is not None else DATASETS_DIR / "SHA256SUMS"
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest.lower()
    return sums


def sha256_of(path):
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _source_of(mirror, name):
    """Return ``(kind, location)`` of ``name`` on ``mirror``: ``("url", ...)`` or ``("file", ...)``."""
    if mirror.startswith(("http://", "https://")):
        return "url", urllib.parse.urljoin(mirror.rstrip("/") + "/", urllib.parse.quote(name))
    if mirror.startswith("file://"):
        mirror = urllib.request.url2pathname(urllib.parse.urlparse(mirror).path)
    return "file", str(Path(mirror).expanduser() / name)


def _copy_to(kind, location, out):
    """Stream the source into the open binary file ``out``; return the bytes the source announced."""
    if kind == "file":
        with open(location, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        return None
    with urllib.request.urlopen(location, timeout=_TIMEOUT_S) as response:
        announced = response.headers.get("Content-Length")
        shutil.copyfileobj(response, out, _CHUNK)
    return int(announced) if announced is not None else None


def fetch_advice(mirror):
    """What to do when ``mirror`` failed, true to where it came from: ``$CATVNONCAT_MIRROR``, the
    public default (the variable not set), or a ``--mirror`` option."""
    if mirror == os.environ.get(MIRROR_ENV):
        return (f"Check the mirror (environment variable {MIRROR_ENV}={mirror!r}) or unset it to "
                f"use the public origin, then run `make data` again. See datasets/README.md.")
    if mirror == DEFAULT_MIRROR:
        return (f"{MIRROR_ENV} is not set, so the public origin was used: check your network, or "
                f"set {MIRROR_ENV} to a folder or http(s) URL holding the two files (e.g. "
                f"`CATVNONCAT_MIRROR=../shared/datasets make data`). See datasets/README.md.")
    return (f"Check the mirror given with --mirror ({mirror!r}; without the option, "
            f"{MIRROR_ENV} or else the public origin is used), then run `make data` (or the "
            f"command) again. See datasets/README.md.")


def fetch_file(name, digest, dest_dir, mirror):
    """Fetch one file from ``mirror`` into ``dest_dir`` and verify its sha256.

    Returns
    -------
    status : str
        ``"present"`` when a verified copy was already there, else ``"fetched"``.

    Raises
    ------
    FetchError
        The source was unreachable, missing the file, or served other bytes. Nothing is
        left behind: an existing good file is kept, a temporary file is removed.
    """
    dest_dir = Path(dest_dir)
    target = dest_dir / name
    existing = sha256_of(target) if target.is_file() else None
    if existing == digest:
        return "present"
    kind, location = _source_of(mirror, name)
    advice = fetch_advice(mirror)
    if existing is not None:  # say what is wrong here before what went wrong there
        advice = (f"(The copy already in {target} is corrupt: sha256 {existing}, expected "
                  f"{digest}; delete it or let a good copy replace it.) {advice}")
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                announced = _copy_to(kind, location, out)
            except urllib.error.HTTPError as e:
                raise FetchError(f"{name}: {location} answered HTTP {e.code} {e.reason}. "
                                 f"{advice}") from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
                reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or repr(e)
                raise FetchError(f"{name}: could not read {location} ({reason}). {advice}") from None
        size = os.path.getsize(tmp)
        if announced is not None and size != announced:
            raise FetchError(f"{name}: download from {location} was cut short ({size} of "
                             f"{announced} bytes). {advice}")
        actual = sha256_of(tmp)
        if actual != digest:
            raise FetchError(f"{name}: the copy from {location} ({size} bytes) has sha256 "
                             f"{actual}, expected {digest} (datasets/SHA256SUMS): the mirror "
                             f"holds a corrupted or different file. {advice}")
        # Public data: readable by the sandboxed grading kernels' own uids (mkstemp gives 0600).
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return "fetched"


def fetch_data(dest_dir=None, mirror=None, log=print):
    """Fetch every file named in ``datasets/SHA256SUMS`` and verify it.

    Parameters
    ----------
    dest_dir : path-like, optional
        Where to write; defaults to this repository's ``datasets/``.
    mirror : str, optional
        Folder or http(s) base URL; defaults to ``$CATVNONCAT_MIRROR``, else the public origin.
    log : callable
        Receives one line per file.

    Raises
    ------
    FetchError
        On the first file that cannot be fetched and verified.
    """
    dest_dir = Path(dest_dir) if dest_dir is not None else DATASETS_DIR
    mirror = mirror or os.environ.get(MIRROR_ENV) or DEFAULT_MIRROR
    for name, digest in read_checksums(DATASETS_DIR / "SHA256SUMS").items():
        status = fetch_file(name, digest, dest_dir, mirror)
        log(f"{name}: {'already present, sha256 verified' if status == 'present' else 'fetched from ' + mirror + ', sha256 verified'}")


def load_dataset(data_dir=None):
    """Load the raw arrays exactly as students do (``lr_utils.load_dataset``).

    Returns
    -------
    train_x_orig, train_y, test_x_orig, test_y, classes
        Images ``(m, 64, 64, 3)`` uint8, labels ``(1, m)``, class names.
    """
    from .course import student_module  # the released loader is the one place that reads the files

    return student_module("lr_utils.py").load_dataset(
        data_dir if data_dir is not None else _default_data_dir())


def _default_data_dir():
    return os.environ.get(DATA_ENV) or DATASETS_DIR


def load_prepared(data_dir=None):
    """The arrays the model trains on: flattened to columns and scaled to [0, 1].

    Returns
    -------
    X_train, Y_train, X_test, Y_test : ndarray
        ``(12288, 209)``, ``(1, 209)``, ``(12288, 50)``, ``(1, 50)``.
    """
    from .reference import flatten, standardize

    train_x_orig, train_y, test_x_orig, test_y, _ = load_dataset(data_dir)
    return (standardize(flatten(train_x_orig)), train_y,
            standardize(flatten(test_x_orig)), test_y)
