"""Who's who: contests and awards are not actors, however often they are the subject of a sentence."""

from __future__ import annotations

from assistant.brief.actors import Sentence, ranked_actors
from assistant.types import DocumentMeta, Span


def _sentences(*texts: str) -> list[Sentence]:
    out = []
    for k, text in enumerate(texts):
        meta = DocumentMeta(source_id=f"{k}.txt", path=f"{k}.txt", title=f"{k}", date="2005-01-10")
        out.append(Sentence(meta, Span(start=0, end=len(text)), text))
    return out


def test_a_cup_an_award_or_a_festival_is_no_actor() -> None:
    sentences = _sentences(
        "The Academy Awards, the film industry's top honours, announced a new host.",
        "The Academy Awards announced a new host on Monday.",
        "The World Cup, the biggest event in football, said tickets sold out.",
        "The World Cup confirmed the draw.",
        "Anna Smith, the coach of the national team, said the squad was ready.",
        "Anna Smith announced her squad for the World Cup.",
    )
    names = [r.entity.name for r in ranked_actors(sentences, lambda s: s, {}, lambda s: None)]
    assert "Anna Smith" in names
    assert not [n for n in names if any(w in n for w in ("Cup", "Awards", "Festival"))], names


def test_a_film_or_an_album_is_no_actor() -> None:
    sentences = _sentences(
        "The film Vera Drake won three awards on Sunday.",
        "The film Vera Drake, a drama about a backstreet abortionist, opened in 2004.",
        "Vera Drake won the top prize.",
        "Mike Leigh, who directed it, said he was delighted.",
        "Anna Smith, a singer, said the album Blue Moon, a mix of covers, announced her return.",
        "The album Blue Moon announced a new sound.",
    )
    names = [r.entity.name for r in ranked_actors(sentences, lambda s: s, {}, lambda s: None)]
    assert "Mike Leigh" in names
    assert "Vera Drake" not in names
    assert "Blue Moon" not in names
