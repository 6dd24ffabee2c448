"""Checksum-verified fetch (local folder and a real HTTP server on 127.0.0.1) and the student loader."""

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading

import h5py
import numpy as np
import pytest

from catvnoncat import course, data

SUMS = data.read_checksums()


def load_lr_utils():
    return course.student_module("lr_utils.py")


@pytest.fixture
def good_mirror(tmp_path):
    """A local mirror holding verified copies of the real files (fetched by `make data`)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in SUMS:
        shutil.copy(data.DATASETS_DIR / name, mirror / name)
    return mirror


@pytest.fixture
def serve(tmp_path):
    """Serve a folder over HTTP on 127.0.0.1; yields a function folder -> base URL."""
    servers = []

    def start(folder, handler_class=http.server.SimpleHTTPRequestHandler):
        handler = functools.partial(handler_class, directory=str(folder))
        handler.log_message = lambda *a, **k: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/data/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_checksums_file_names_both_files():
    assert set(SUMS) == {"train_catvnoncat.h5", "test_catvnoncat.h5"}
    assert all(len(d) == 64 for d in SUMS.values())


def test_fetch_from_local_folder_verifies_and_is_idempotent(good_mirror, tmp_path):
    dest = tmp_path / "dest"
    lines = []
    data.fetch_data(dest_dir=dest, mirror=str(good_mirror), log=lines.append)
    assert all(data.sha256_of(dest / n) == d for n, d in SUMS.items())
    assert all("fetched" in line for line in lines)
    lines.clear()
    data.fetch_data(dest_dir=dest, mirror=str(good_mirror), log=lines.append)
    assert all("already present" in line for line in lines)


def test_fetch_over_http(good_mirror, tmp_path, serve):
    (tmp_path / "www").mkdir()
    shutil.copytree(good_mirror, tmp_path / "www" / "data")
    base = serve(tmp_path / "www")
    dest = tmp_path / "dest"
    data.fetch_data(dest_dir=dest, mirror=base, log=lambda line: None)
    assert all(data.sha256_of(dest / n) == d for n, d in SUMS.items())
    assert leftovers(dest) == []


def test_corrupted_local_mirror_is_rejected_and_leaves_nothing(good_mirror, tmp_path):
    victim = next(iter(SUMS))
    raw = bytearray((good_mirror / victim).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (good_mirror / victim).write_bytes(bytes(raw))
    dest = tmp_path / "dest"
    with pytest.raises(data.FetchError) as excinfo:
        data.fetch_data(dest_dir=dest, mirror=str(good_mirror), log=lambda line: None)
    message = str(excinfo.value)
    assert victim in message and str(good_mirror) in message and "sha256" in message
    assert "make data" in message
    assert not (dest / victim).exists() and leftovers(dest) == []


def test_corrupted_mirror_never_replaces_a_good_file(good_mirror, tmp_path):
    dest = tmp_path / "dest"
    data.fetch_data(dest_dir=dest, mirror=str(good_mirror), log=lambda line: None)
    victim = next(iter(SUMS))
    (dest / victim).write_bytes(b"stale junk")            # a damaged local copy ...
    (good_mirror / victim).write_bytes(b"also junk")       # ... and a damaged mirror
    with pytest.raises(data.FetchError):
        data.fetch_data(dest_dir=dest, mirror=str(good_mirror), log=lambda line: None)
    assert (dest / victim).read_bytes() == b"stale junk"   # untouched, not half-written
    assert leftovers(dest) == []


def test_http_404_names_file_and_source(tmp_path, serve):
    (tmp_path / "www" / "data").mkdir(parents=True)
    base = serve(tmp_path / "www")
    dest = tmp_path / "dest"
    with pytest.raises(data.FetchError) as excinfo:
        data.fetch_data(dest_dir=dest, mirror=base, log=lambda line: None)
    message = str(excinfo.value)
    assert "HTTP 404" in message and base in message and data.MIRROR_ENV in message
    assert leftovers(dest) == [] and not any(dest.glob("*.h5"))


def test_truncated_http_download_is_rejected(good_mirror, tmp_path, serve):
    class Truncating(http.server.SimpleHTTPRequestHandler):
        """Announces the full length, sends half the bytes, then closes."""

        def do_GET(self):
            path = self.translate_path(self.path)
            body = open(path, "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True

    (tmp_path / "www").mkdir()
    shutil.copytree(good_mirror, tmp_path / "www" / "data")
    base = serve(tmp_path / "www", Truncating)
    dest = tmp_path / "dest"
    with pytest.raises(data.FetchError) as excinfo:
        data.fetch_data(dest_dir=dest, mirror=base, log=lambda line: None)
    assert any(name in str(excinfo.value) for name in SUMS) and "cut short" in str(excinfo.value)
    assert leftovers(dest) == [] and not any(dest.glob("*.h5"))


def test_unreachable_host(tmp_path):
    with socket.socket() as s:  # a port that was free a moment ago: nobody listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = tmp_path / "dest"
    base = f"http://127.0.0.1:{port}/data/"
    with pytest.raises(data.FetchError) as excinfo:
        data.fetch_data(dest_dir=dest, mirror=base, log=lambda line: None)
    assert "could not read" in str(excinfo.value) and base in str(excinfo.value)
    assert leftovers(dest) == []


def test_cli_reports_failure_clearly_with_exit_code_1(tmp_path):
    env = {**os.environ, data.MIRROR_ENV: str(tmp_path / "no-such-mirror")}
    result = subprocess.run([sys.executable, "-m", "catvnoncat", "fetch-data", "--dest", str(tmp_path / "d")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "fetch-data failed" in result.stderr and "no-such-mirror" in result.stderr
    assert "Traceback" not in result.stderr


# --- the student loader (source/logistic_regression/lr_utils.py) ---------------------------

def test_load_dataset_shapes_and_classes():
    train_x, train_y, test_x, test_y, classes = load_lr_utils().load_dataset(data.DATASETS_DIR)
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3)
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert [c.decode() for c in classes] == ["non-cat", "cat"]


def test_loader_finds_datasets_folder_in_a_parent(tmp_path, monkeypatch):
    (tmp_path / "datasets").mkdir()
    for name in SUMS:
        os.symlink(data.DATASETS_DIR / name, tmp_path / "datasets" / name)
    deep = tmp_path / "autograded" / "alice" / "logistic_regression"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    lr_utils = load_lr_utils()
    assert lr_utils.find_data_dir() == tmp_path / "datasets"
    monkeypatch.setenv(data.DATA_ENV, str(data.DATASETS_DIR))
    assert lr_utils.find_data_dir() == data.DATASETS_DIR


def test_loader_missing_data_says_how_to_fetch(tmp_path, monkeypatch):
    """No data anywhere and a mirror that does not exist: one message saying what to do."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv("CATVNONCAT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CATVNONCAT_MIRROR", str(tmp_path / "no-such-mirror"))
    lr_utils = load_lr_utils()
    with pytest.raises(lr_utils.DatasetError, match="CATVNONCAT_MIRROR"):
        lr_utils.load_dataset()
    assert not list((tmp_path / "cache").glob("*.h5"))


def test_loader_rejects_truncated_file(tmp_path):
    lr_utils = load_lr_utils()
    shutil.copy(data.DATASETS_DIR / "test_catvnoncat.h5", tmp_path)
    raw = (data.DATASETS_DIR / "train_catvnoncat.h5").read_bytes()
    (tmp_path / "train_catvnoncat.h5").write_bytes(raw[: len(raw) // 3])
    with pytest.raises(lr_utils.DatasetError, match="corrupted or truncated"):
        lr_utils.load_dataset(tmp_path)


def test_loader_rejects_wrongly_shaped_file(tmp_path):
    lr_utils = load_lr_utils()
    shutil.copy(data.DATASETS_DIR / "test_catvnoncat.h5", tmp_path)
    with h5py.File(tmp_path / "train_catvnoncat.h5", "w") as f:
        f["train_set_x"] = np.zeros((5, 32, 32, 3), dtype=np.uint8)
        f["train_set_y"] = np.zeros(5, dtype=np.int64)
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    with pytest.raises(lr_utils.DatasetError, match=r"expected \(m, 64, 64, 3\)"):
        lr_utils.load_dataset(tmp_path)
