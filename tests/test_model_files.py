"""Model folders on a remote Beam filesystem are copied to local disk once, atomically.

A fake remote filesystem (scheme ``fakeremote://``, backed by a local folder
and logging every file it opens) stands in for ``gs://`` and ``s3://``: the
code under test only talks to ``FileSystems``, as it does on a worker.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil

import pytest
from apache_beam.io.localfilesystem import LocalFileSystem
from voicescrub.transforms.io import model_files
from voicescrub.transforms.io.model_files import (
    COMPLETE_MARKER,
    ModelFilesError,
    is_remote,
    localise_model,
)

SCHEME = "fakeremote"


class FakeRemoteFileSystem(LocalFileSystem):
    """``fakeremote://<path>`` is the local ``<root>/<path>``; opens are logged, and a
    file named in ``$FAKEREMOTE_FAIL_ON`` fails to open (a dropped connection)."""

    @classmethod
    def scheme(cls):
        return SCHEME

    @staticmethod
    def _local(path: str) -> str:
        if not path.startswith(f"{SCHEME}://"):
            return path  # LocalFileSystem's own helpers call back with local paths
        return os.path.join(os.environ["FAKEREMOTE_ROOT"], path[len(SCHEME) + 3:])

    @staticmethod
    def _remote(local: str) -> str:
        return f"{SCHEME}://" + os.path.relpath(local, os.environ["FAKEREMOTE_ROOT"])

    def match(self, patterns, limits=None):
        results = super().match([self._local(p) for p in patterns], limits)
        for result in results:
            for metadata in result.metadata_list:
                metadata.path = self._remote(metadata.path)
        return results

    def exists(self, path):
        return super().exists(self._local(path))

    def open(self, path, mime_type="application/octet-stream", compression_type=None):
        if os.environ.get("FAKEREMOTE_FAIL_ON") and path.endswith(os.environ["FAKEREMOTE_FAIL_ON"]):
            raise IOError("connection reset")
        with open(os.environ["FAKEREMOTE_LOG"], "a", encoding="utf-8") as log:
            log.write(path + "\n")
        return super().open(self._local(path), mime_type, compression_type)


@pytest.fixture
def remote(tmp_path, monkeypatch):
    """A remote model folder ``fakeremote://models/small`` with a nested file."""
    root = tmp_path / "bucket"
    model = root / "models" / "small"
    (model / "sub").mkdir(parents=True)
    (model / "model.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (model / "config.json").write_text('{"a": 1}')
    (model / "sub" / "vocab.txt").write_text("hello\nworld\n")
    monkeypatch.setenv("FAKEREMOTE_ROOT", str(root))
    monkeypatch.setenv("FAKEREMOTE_LOG", str(tmp_path / "opens.log"))
    monkeypatch.delenv("FAKEREMOTE_FAIL_ON", raising=False)
    monkeypatch.setattr(model_files, "_localised", {})  # a fresh process, as far as the cache goes
    return {"uri": f"{SCHEME}://models/small", "folder": model, "cache": str(tmp_path / "cache"),
            "log": tmp_path / "opens.log"}


def opened(remote) -> list:
    return remote["log"].read_text().split() if remote["log"].exists() else []


def same_tree(a, b) -> bool:
    files = lambda root: sorted(  # noqa: E731
        os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
        if f != COMPLETE_MARKER)
    if files(a) != files(b):
        return False
    return all(open(os.path.join(a, f), "rb").read() == open(os.path.join(b, f), "rb").read()
               for f in files(a))


@pytest.mark.parametrize("model", ["bundled:tiny.en", "small.en", "/models/small.en",
                                   "relative/folder", "file:///models/small.en"])
def test_local_paths_and_names_pass_through(model, tmp_path):
    assert not is_remote(model)
    assert localise_model(model, str(tmp_path)) == model
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("uri", ["gs://bucket/models/small.en", "s3://bucket/m/", "hdfs://nn/m"])
def test_bucket_uris_are_remote(uri):
    assert is_remote(uri)


def test_copies_the_folder_once_and_returns_a_local_path(remote):
    local = localise_model(remote["uri"], remote["cache"])
    assert os.path.isdir(local) and local.startswith(remote["cache"])
    assert same_tree(local, remote["folder"])
    assert len(opened(remote)) == 3
    assert localise_model(remote["uri"] + "/", remote["cache"]) == local
    model_files._localised.clear()  # a second process on the same machine: uses the disk copy
    assert localise_model(remote["uri"], remote["cache"]) == local
    assert len(opened(remote)) == 3
    assert [e for e in os.listdir(remote["cache"]) if e.startswith(".tmp-")] == []


def test_default_cache_dir_comes_from_the_environment(remote, monkeypatch, tmp_path):
    monkeypatch.setenv(model_files.CACHE_ENV, str(tmp_path / "env-cache"))
    assert localise_model(remote["uri"]).startswith(str(tmp_path / "env-cache"))


def _localise_in_child(uri: str, cache: str, queue) -> None:
    model_files._localised.clear()
    queue.put(localise_model(uri, cache))


def test_concurrent_worker_processes_copy_once(remote):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_localise_in_child, args=(remote["uri"], remote["cache"], queue))
                for _ in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    paths = {queue.get(timeout=5) for _ in children}
    assert len(paths) == 1
    assert sorted(opened(remote)) == sorted(set(opened(remote)))  # each file copied once
    assert len(opened(remote)) == 3
    assert same_tree(paths.pop(), remote["folder"])


def test_a_failed_copy_leaves_nothing_and_the_next_try_succeeds(remote, monkeypatch):
    monkeypatch.setenv("FAKEREMOTE_FAIL_ON", "sub/vocab.txt")
    with pytest.raises(ModelFilesError) as raised:
        localise_model(remote["uri"], remote["cache"])
    assert "fakeremote" not in str(raised.value) and "models" not in str(raised.value)
    assert [e for e in os.listdir(remote["cache"]) if not e.endswith(".lock")] == []
    monkeypatch.delenv("FAKEREMOTE_FAIL_ON")
    assert same_tree(localise_model(remote["uri"], remote["cache"]), remote["folder"])


def test_a_half_copy_from_a_killed_process_is_ignored_and_removed(remote):
    name = model_files.local_folder_name(remote["uri"])
    half = os.path.join(remote["cache"], f".tmp-{name}-killed")
    os.makedirs(half)
    open(os.path.join(half, "model.bin"), "wb").write(b"half")
    local = localise_model(remote["uri"], remote["cache"])
    assert same_tree(local, remote["folder"])
    assert not os.path.exists(half)


def test_an_empty_or_missing_folder_is_an_error(remote):
    with pytest.raises(ModelFilesError):
        localise_model(f"{SCHEME}://models/absent", remote["cache"])


def test_a_localised_whisper_model_loads(remote, tmp_path):
    """The real bundled weights, served from the fake bucket, load with faster-whisper."""
    from voicescrub.transforms.asr.whisper import bundled_model_path, load_whisper_model

    bucket_copy = tmp_path / "bucket" / "models" / "tiny"
    shutil.copytree(bundled_model_path(), bucket_copy)
    local = localise_model(f"{SCHEME}://models/tiny", remote["cache"])
    assert same_tree(local, bucket_copy)
    assert load_whisper_model(local) is not None
