"""The command line when the machine fails: a full disk, a read-only index folder, an index server that is
down. Each is one ``error:`` line naming the place and what to do, exit code 1, and nothing lost."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_CORPUS, free_port

pytestmark = pytest.mark.integration  # real processes on a real (small) file system


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs: too small for the seeds' index. Skipped where mounting is not permitted."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def cli(*args: str, index: Path, corpus: Path = SEED_CORPUS) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(index),
           "ASSISTANT_EMBEDDING__BACKEND": "hashing"}  # fmt: skip
    command = [sys.executable, "-m", "assistant", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.replace("\r", "\n").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(errors) == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    return errors[0]


def test_a_full_disk_names_the_folder_and_the_next_run_finishes(small_disk: Path) -> None:
    index = small_disk / "index"
    error = _one_error(cli("ingest", index=index))
    assert str(index) in error
    assert "full disk" in error
    assert "of 5 documents were indexed" in error
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = cli("ingest", index=index)
    assert again.returncode == 0, again.stderr
    counts = re.search(r"added (\d+), updated 0, removed 0, unchanged (\d+), skipped 0", again.stdout)
    assert counts, again.stdout
    assert int(counts[1]) + int(counts[2]) == 5
    answer = cli("ask", "--json", "What is a diffusion?", index=index)
    assert answer.returncode == 0, answer.stderr
    assert '"citations": [' in answer.stdout


def test_a_read_only_index_folder_is_one_line(small_disk: Path, tmp_path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    index = small_disk / "index"
    assert cli("ingest", index=index).returncode == 0
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "new.txt").write_text("The bridge was repaired in May by the town's council workers.\n")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    error = _one_error(cli("ingest", index=index, corpus=corpus))
    assert str(index) in error
    assert "read-only" in error


def test_an_index_server_that_is_down_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    for command in (["ingest"], ["ask", "What is a diffusion?"]):
        error = _one_error(cli("--chroma-url", f"http://127.0.0.1:{port}", *command, index=tmp_path / "index"))
        assert f"127.0.0.1:{port} is not reachable" in error
