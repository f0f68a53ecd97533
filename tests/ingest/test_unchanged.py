"""The no-op ingest check: the manifest and the corpus alone say when there is nothing to do."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from assistant.ingest.index import MANIFEST, unchanged_files
from assistant.service import Assistant
from tests.conftest import SEED_CORPUS


def test_unchanged_files_holds_only_while_the_corpus_is_what_the_index_records(
    make_light_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEED_CORPUS, corpus)
    indexer = make_light_assistant(corpus, index).indexer
    assert unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml") is None, "no index yet"
    indexer.sync(progress=False)
    files = unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml")
    assert files == sorted(indexer.load_manifest().files)  # type: ignore[union-attr]
    assert unchanged_files(corpus, index, "another-model", "metadata.yaml") is None

    first = corpus / files[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml") is None, "an edited file"
    indexer.sync(progress=False)
    assert unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml") == files

    manifest = json.loads((index / MANIFEST).read_text())
    (index / MANIFEST).write_text(json.dumps({**manifest, "pending": [files[0]]}))
    assert unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml") is None, "a run was interrupted"
    (index / MANIFEST).write_text("{not json")
    assert unchanged_files(corpus, index, indexer.pipeline, "metadata.yaml") is None, "a damaged manifest"
