"""The filter options that ``ask`` and ``brief`` share, declared once.

:func:`with_filters` adds them to a command's signature, where typer reads its
options, and hands the command one validated :class:`~assistant.types.Filters`.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer

from assistant.interfaces.common import fail
from assistant.types import VOICE_KINDS, Filters

OPTIONS: dict[str, Any] = {
    "source": Annotated[list[str] | None, typer.Option(help="Only this document (repeatable).")],
    "outlet": Annotated[list[str] | None, typer.Option(help="Only this outlet (repeatable).")],
    "kind": Annotated[list[str] | None, typer.Option(help="Only this kind of source (repeatable).")],
    "only": Annotated[list[str] | None, typer.Option(help="Only official, press or advocacy sources (repeatable).")],
    "date_from": Annotated[str | None, typer.Option(help="Only documents dated on or after YYYY-MM-DD.")],
    "date_to": Annotated[str | None, typer.Option(help="Only documents dated on or before YYYY-MM-DD.")],
    "as_of": Annotated[str | None, typer.Option(help="Only documents published by YYYY-MM-DD (as of that day).")],
}


def with_filters(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the filter options added; it receives them as its ``filters`` argument."""
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)
    kept = [p.replace(annotation=hints[p.name]) for p in signature.parameters.values() if p.name != "filters"]
    keyword = inspect.Parameter.KEYWORD_ONLY
    added = [inspect.Parameter(name, keyword, default=None, annotation=a) for name, a in OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        values = {name: kwargs.pop(name, None) for name in OPTIONS}
        command(*args, filters=parse_filters(**values), **kwargs)

    parameters = [*kept, *added]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    return wrapper


def parse_filters(
    source: list[str] | None = None,
    outlet: list[str] | None = None,
    kind: list[str] | None = None,
    only: list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    as_of: str | None = None,
) -> Filters:
    """Filters from the command line; exit 2 with a message when one is malformed."""
    kinds: list[Any] = list(kind or [])
    for voice in only or []:
        if voice not in VOICE_KINDS:
            raise fail(f"unknown --only {voice!r}; use {', '.join(VOICE_KINDS)}")
        kinds += VOICE_KINDS[voice]
    try:
        to = min(filter(None, [date_to, as_of])) if (date_to or as_of) else None
        return Filters(
            source_ids=source or [],
            outlets=outlet or [],
            kinds=kinds,
            date_from=dt.date.fromisoformat(date_from) if date_from else None,
            date_to=dt.date.fromisoformat(to) if to else None,
        )
    except ValueError as exc:
        raise fail(f"bad filter: {exc}") from exc
