"""The meaning check of written sentences: each detector, on real quotes of the seed corpus."""

from __future__ import annotations

import pytest

from assistant.provenance.consistency import check, tokens
from assistant.provenance.wordlists import opposites

STOP = "Effective immediately, diffusions can no longer be sent directly by NCB Moscow to member countries."
REFUSED = (
    "Calling “neutrality” the cornerstone of their organization, Interpol officials refused to suspend Russia from "
    "the global police institution following the Kremlin’s invasion of Ukraine."
)
CHECKS = (
    "Every minute, nearly 9,000 checks are made against INTERPOL’s global databases and more than 30 messages are "
    "exchanged between police worldwide using its secure global police communications system."
)
BORDER = (
    "Checks against INTERPOL’s databases at control points along the Ukrainian border have already resulted in the "
    "identification of individuals wanted by four different countries for a range of offenses."
)
ONLY_IF = "Only if a diffusion is found compliant will the General Secretariat then disseminate it to member countries."
LETTER = (
    "Interpol reportedly accepted an unsigned resignation letter from the currently detained former President Mr "
    "Meng, which was delivered by the Chinese Govt."
)
PLANS = (
    "The meeting was an opportunity to discuss Fair Trials’ consultation report Strengthening INTERPOL: An Update, "
    "which Fair Trials plans to publish in full in early 2018."
)
BROMUND = (
    "“It sounds like the Executive Committee was unwilling to suspend Russia, so they compromised on these oversight "
    "measures,” Ted R."
)
SUPPLIED = "So far in 2022, nearly 60,000 similar checks were made using database information supplied by Russia."
ACCUSED = "The paper quoted unnamed officials who accused Smith of enriching himself."
NO_AGENCY = "No department or agency may extradite an individual based solely on a notice."

FALSE = [
    (STOP, "Diffusions can now be sent directly by NCB Moscow to member countries.", "negated in the quote"),
    (STOP, "Diffusions will not be sent by NCB Moscow to member countries.", "'will' (future)"),
    (REFUSED, "Interpol officials agreed to suspend Russia after the invasion of Ukraine.", "negated in the quote"),
    (REFUSED, "Interpol officials refused to suspend Ukraine from the organization.", "on 'Russia' in the quote"),
    (REFUSED, "Interpol officials refused to suspend China after the invasion of Ukraine.", "not in the quote: China"),
    (BROMUND, "The Executive Committee was eager to suspend Russia but was blocked.", "negated in the quote"),
    (CHECKS, "Every day, nearly 9,000 checks are made against INTERPOL's global databases.", "day"),
    (CHECKS, "Every minute, more than 9,000 checks are made against INTERPOL's databases.", "bounds"),
    (CHECKS, "Every minute, nearly 12,000 checks are made against INTERPOL's databases.", "12,000"),
    (BORDER, "Checks on the Ukrainian border identified individuals wanted by forty countries.", "number 40"),
    (ONLY_IF, "The General Secretariat will disseminate a diffusion even if it is not found compliant.", "negated"),
    (LETTER, "Interpol reportedly accepted a signed resignation letter from Meng.", "'unsigned'"),
    (LETTER, "Interpol reportedly rejected an unsigned resignation letter from Meng.", ""),
    (PLANS, "Fair Trials has published its consultation report Strengthening INTERPOL: An Update in full.", "drops"),
    (REFUSED, "Interpol refused to suspend Russia because of the Kremlin's invasion of Ukraine.", "cause"),
    (ONLY_IF, "The General Secretariat will disseminate a diffusion if it is found compliant.", "condition"),
    (STOP, "Diffusions are less formal than notices and can no longer be sent by NCB Moscow.", "does not hold"),
    (SUPPLIED, "In 2022, Russia has made nearly 60,000 checks using information supplied by others.", "supplied"),
    (ACCUSED, "In the article, Smith accused unnamed officials of enriching themselves.", "acts on 'Smith'"),
    (NO_AGENCY, "Departments and agencies may extradite an individual based solely on a notice.", "'No'"),
]
TRUE = [
    (STOP, "NCB Moscow can no longer send diffusions directly to member countries."),
    (REFUSED, "Interpol officials declined to suspend Russia after the Kremlin's invasion of Ukraine, citing it."),
    (REFUSED, "Citing neutrality, Interpol officials did not suspend Russia after it invaded Ukraine."),
    (BROMUND, "It sounded as if the Executive Committee was unwilling to suspend Russia and compromised instead."),
    (CHECKS, "Nearly 9,000 checks are made against INTERPOL's global databases every minute."),
    (BORDER, "Checks along the Ukrainian border have identified individuals wanted by four different countries."),
    (ONLY_IF, "The General Secretariat will disseminate a diffusion only if it is found compliant."),
    (LETTER, "Interpol reportedly accepted Meng's unsigned resignation letter, delivered by the Chinese Govt."),
    (PLANS, "Fair Trials plans to publish its consultation report Strengthening INTERPOL: An Update in full in 2018."),
    (SUPPLIED, "Nearly 60,000 such checks were made so far in 2022 using information supplied by Russia."),
    (ACCUSED, "Unnamed officials accused Smith of enriching himself."),
    (NO_AGENCY, "No agency may extradite an individual based solely on a notice."),
]


@pytest.mark.parametrize(("quote", "sentence", "reason"), FALSE)
def test_a_turned_meaning_is_never_supported(quote: str, sentence: str, reason: str) -> None:
    verdict = check(sentence, quote)
    assert not verdict.supported, verdict.reason
    assert reason in verdict.reason


@pytest.mark.parametrize(("quote", "sentence"), TRUE)
def test_a_faithful_paraphrase_is_supported(quote: str, sentence: str) -> None:
    verdict = check(sentence, quote)
    assert verdict.supported, verdict.reason
    assert "no contradiction cue" in verdict.reason


def test_a_speaker_the_source_names_may_stand_outside_the_quote() -> None:
    quote = "Interpol has the chance to set international human rights standards for police cooperation."
    sentence = "According to Fair Trials, Interpol has the chance to set human rights standards for police cooperation."
    assert not check(sentence, quote).supported
    assert check(sentence, quote, speakers=["Fair Trials"]).supported


def test_the_supported_reason_names_what_was_found() -> None:
    verdict = check("Nearly 9,000 checks are made against INTERPOL's databases every minute.", CHECKS)
    assert verdict.reason == "names found: INTERPOL; numbers found: 9,000; no contradiction cue"


def test_tokens_split_contractions_and_opposites_come_from_the_list() -> None:
    assert [t.low for t in tokens("It can't be sent.")] == ["it", "can", "n't", "be", "sent", "."]
    assert "reject" in opposites()["accept"]
    assert "accept" in opposites()["reject"]


@pytest.mark.parametrize("sentence", ["", "   ", "[1] [2]", "\x00\x01\x02", "Россия " * 20, "Interpol " * 20_000])
def test_empty_odd_or_huge_sentences_are_never_supported_and_never_crash(sentence: str) -> None:
    verdict = check(sentence, STOP)
    assert not verdict.supported
    assert verdict.reason


NOTICE = "A red notice is an alert to all member countries, asking them to locate and arrest a person."
DIFFUSION = "A red diffusion is a similar request but is only sent to individual countries."


def test_words_traded_between_the_clauses_of_a_merged_sentence_are_caught() -> None:
    traded = "A red diffusion is an alert to all countries to arrest a person, while a red notice is a similar request."
    kept = "A red notice is an alert to all countries to arrest a person, while a red diffusion is a similar request."
    verdict = check(traded, [NOTICE, DIFFUSION])
    assert not verdict.supported
    assert "'diffusion' comes from the other quote" in verdict.reason
    assert check(kept, [NOTICE, DIFFUSION]).supported


def test_a_place_moved_to_another_noun_is_a_role_change() -> None:
    quote = (
        "His essay highlights cases of abusive alerts in the Former Soviet Union, and the abuse of systems globally."
    )
    moved = (
        "His essay highlights cases of abusive alerts worldwide, and the abuse of systems in the former Soviet Union."
    )
    kept = "His essay highlights cases of abusive alerts in the former Soviet Union, and the abuse of systems globally."
    verdict = check(moved, quote)
    assert not verdict.supported
    assert "in the quote, 'alerts in'" in verdict.reason
    assert check(kept, quote).supported


def test_our_report_is_not_the_report_of_a_third_party_the_quote_names() -> None:
    quote = "We outline the changes that INTERPOL has made in our consultation report, published in 2017."
    verdict = check("INTERPOL's own consultation report, published in 2017, outlines the changes it has made.", quote)
    assert not verdict.supported
    assert "'our consultation'" in verdict.reason
    assert check("The consultation report, published in 2017, outlines the changes INTERPOL has made.", quote).supported


def test_a_name_opening_the_sentence_is_read_as_a_name_where_the_quote_writes_it_inside_one() -> None:
    quote = "Officials said that Russia accused Ukraine of the attack."
    verdict = check("Ukraine accused Russia of the attack, officials said.", quote)
    assert not verdict.supported
    assert "'Ukraine' 'accused'" in verdict.reason
    assert check("Russia accused Ukraine of the attack, officials said.", quote).supported
