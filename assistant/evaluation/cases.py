"""Eval files: the case schema, loading with line-numbered errors, splits and the corpus a file is asked over.

An eval file is YAML. Besides its cases it may name the corpus its questions are asked
over (``corpus: {name, folders}``): the folders are assembled into a working corpus under
the index folder, so question banks over shared corpora run without copying them into
the repository. Cases are split into ``dev`` and ``heldout`` by a stable hash of their
id; the held-out split never chooses a rule, feature, weight or threshold.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.types import Filters

Split = Literal["dev", "heldout"]
HELDOUT_SHARE = 40
"""Percent of cases in the held-out split."""


class EvalFileError(ValueError):
    """An eval file cannot be read or does not follow the schema; the message names file, line and field."""


class AnyOf(BaseModel):
    """A fact matched by any one of several phrasings."""

    model_config = ConfigDict(extra="forbid")
    any_of: list[str] = Field(min_length=1, description="Accepted phrasings.")


Fact = str | AnyOf


class GoldEvidence(BaseModel):
    """Where the answer to a case stands: a source file and a verbatim passage of it."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, description="Source id (path relative to the corpus folder).")
    text: str = Field(min_length=1, description="A verbatim substring of that file which answers the question.")


class Case(BaseModel):
    """One scripted question and what a right answer must contain and cite."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, description="Unique within the file.")
    kind: str | None = Field(default=None, description="What sort of question this is (who, why, paraphrase...).")
    question: str = Field(min_length=1, description="The question asked.")
    history: list[dict[str, Any] | str] = Field(default_factory=list, description="Earlier turns, for follow-ups.")
    expected_sources: list[str] = Field(
        default_factory=list, description="Source ids; citing any one is a hit. Defaults to the evidence's sources."
    )
    evidence: list[GoldEvidence] = Field(default_factory=list, description="Gold evidence; any one answers.")
    must_include: list[Fact] = Field(default_factory=list, description="Facts the answer must contain.")
    must_not_include: list[Fact] = Field(default_factory=list, description="Text the answer must not contain.")
    filters: Filters | None = Field(default=None, description="Filters, as in ask.")
    answerable: bool = Field(default=True, description="False when the corpus cannot answer: a refusal is right.")
    why_unanswerable: str | None = Field(default=None, description="For unanswerable cases: what the corpus lacks.")
    expected_answer: str | None = Field(default=None, description="Reference answer (for an optional judge).")

    @model_validator(mode="after")
    def _sources_from_evidence(self) -> Case:
        if not self.expected_sources:
            self.expected_sources = list(dict.fromkeys(e.source for e in self.evidence))
        return self

    @property
    def split(self) -> Split:
        """The case's split, from a stable hash of its id."""
        return split_of(self.id)


class Thresholds(BaseModel):
    """Aggregate gates; a missing one does not gate. Maximums: false_refusal_rate, furniture_quotes."""

    model_config = ConfigDict(extra="forbid")
    source_hit: float | None = None
    cited_source_hit: float | None = None
    recall: float | None = None
    mrr: float | None = None
    fact_coverage: float | None = None
    citation_validity: float | None = None
    citation_precision: float | None = None
    support: float | None = None
    refusal_accuracy: float | None = None
    false_refusal_rate: float | None = None
    whole_answer_accuracy: float | None = None
    furniture_quotes: float | None = None
    kind_cited_source_hit: float | None = Field(
        default=None, description="Least cited-source hit of every kind of answerable question."
    )
    judge_faithfulness: float | None = Field(default=None, description="Gates only with --gate-judge.")
    judge_correctness: float | None = Field(default=None, description="Gates only with --gate-judge.")

    @property
    def empty(self) -> bool:
        """True when no threshold is set: then every case must pass."""
        return not self.model_dump(exclude_none=True)


class Defaults(BaseModel):
    """Defaults for every case of a file."""

    model_config = ConfigDict(extra="forbid")
    k: int = Field(default=5, ge=1, description="Retrieval cut-off for hit@k, recall@k and MRR.")


class CorpusSpec(BaseModel):
    """The corpus a file's questions are asked over, assembled from folders."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Names the working corpus and its index.")
    folders: list[str] = Field(min_length=1, description="Folders (relative to the eval file) copied in, in order.")
    exclude: list[str] = Field(default_factory=list, description="File names left out (a folder's README).")


class EvalFile(BaseModel):
    """A whole eval file (YAML)."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = Field(description="Schema version.")
    defaults: Defaults = Field(default_factory=Defaults)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    corpus: CorpusSpec | None = Field(default=None, description="Asked over this corpus, not the configured one.")
    sample: list[str] = Field(default_factory=list, description="Documents the questions were written from.")
    split: bool = Field(default=True, description="Whether --split selects cases; false: every case always runs.")
    sources: dict[str, str] = Field(default_factory=dict, description="Names for YAML anchors; not used.")
    cases: list[Case] = Field(min_length=1)


def split_of(case_id: str, heldout_share: int = HELDOUT_SHARE) -> Split:
    """``heldout`` for about ``heldout_share`` % of ids, ``dev`` for the rest; an id always lands in one split."""
    bucket = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "heldout" if bucket < heldout_share else "dev"


def select(cases: Sequence[Case], split: str) -> list[Case]:
    """The cases of one split (``dev``, ``heldout``), or all of them (``all``)."""
    return [c for c in cases if split == "all" or c.split == split]


def load_eval_file(path: Path) -> EvalFile:
    """Read and validate an eval file. Raises :class:`EvalFileError` naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise EvalFileError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise EvalFileError(f"{path}:1: expected a mapping with 'version' and 'cases'")
    try:
        parsed = EvalFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:5]:
            where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[")
            problems.append(f"{path}:{_line_of(root, error['loc'])}: {where}: {error['msg']}")
        raise EvalFileError("\n".join(problems)) from exc
    ids = [c.id for c in parsed.cases]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise EvalFileError(f"{path}: duplicate case ids: {', '.join(duplicates)}")
    return parsed


def _line_of(node: Any, loc: Sequence[Any]) -> int:
    """The 1-based line of the YAML node at ``loc`` (or of the deepest node that exists)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def assemble_corpus(spec: CorpusSpec, base: Path, target: Path) -> Path:
    """Copy the spec's folders into ``target`` (files that changed only); return ``target``.

    Files already there that no folder provides any more are removed, so the working
    corpus is exactly what the spec names. Raises :class:`EvalFileError` for a missing folder.
    """
    wanted: dict[Path, Path] = {}
    for folder in spec.folders:
        source = (base / folder).resolve()
        if not source.is_dir():
            raise EvalFileError(f"corpus {spec.name!r}: folder {folder} (from {base}) does not exist")
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if path.is_file() and path.name not in spec.exclude and not any(p.startswith(".") for p in rel.parts):
                wanted[rel] = path
    target.mkdir(parents=True, exist_ok=True)
    for rel, path in wanted.items():
        destination = target / rel
        stat = path.stat()
        if (
            destination.is_file()
            and destination.stat().st_size == stat.st_size
            and destination.read_bytes() == (path.read_bytes())
        ):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return target
