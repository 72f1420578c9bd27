"""What a posted terms change is about: its clauses' topics, the legal vocabulary of terms clauses in the words
that changed, and its document type's topic. Texts written for Clausewatch."""

from __future__ import annotations

from bot.core.terms.clause_topics import change_topics, vocabulary_topics
from bot.core.terms.clauses import diff_clauses
from bot.core.terms.documents import normalize

POLICY = """# Tunely Privacy Notice

## 4. Who helps us run the service

4.1 We host recordings with Cloudhost Ltd in Ireland.
4.2 We send e-mails through Postbird Inc in the United States.

## 5. Refunds

5.1 A yearly plan can be cancelled within 14 days for a full refund.

## 6. Reports

6.1 Anyone can report a recording that breaks our community rules.
"""


def _topics(old: str, new: str, doc_type: str | None = "Terms of Service") -> tuple[str, ...]:
    return change_topics(diff_clauses(normalize(old), normalize(new)), doc_type)


def test_a_new_sub_processor_is_data_sharing_in_any_document() -> None:
    added = POLICY.replace("4.2 We send", "4.3 Our sub-processor Metricly analyses how the app is used.\n4.2 We send")
    assert "data_sharing" in _topics(POLICY, added)
    french = "# Confidentialité\n\n## 4. Sous-traitants\n\n4.1 Nous hébergeons les enregistrements en Irlande.\n"
    moved = french.replace("en Irlande.", "en Irlande.\n4.2 Les destinataires de vos données incluent Metricly.")
    assert "data_sharing" in _topics(french, moved)


def test_a_refund_rule_is_pricing_and_a_reporting_rule_is_moderation() -> None:
    assert "pricing" in _topics(POLICY, POLICY.replace("within 14 days", "within 7 days"))
    assert "moderation" in _topics(POLICY, POLICY.replace("that breaks", "that holds hate speech or breaks"))


def test_a_document_type_brings_its_topic_and_other_types_do_not() -> None:
    changed = POLICY.replace("in Ireland", "in Ireland and Germany")
    assert "privacy" in _topics(POLICY, changed, "Privacy Policy")
    assert "privacy" not in _topics(POLICY, changed, "Terms of Service")
    assert "moderation" in _topics(POLICY, changed, "Community Guidelines - Harassment")


def test_a_word_mentioned_once_in_a_long_rewrite_is_no_topic_of_it() -> None:
    old = "# Terms\n\n" + "".join(f"{k}. Members may post tracks in genre number {k}.\n" for k in range(1, 13))
    new = "# Terms\n\n" + "".join(f"{k}. Members can share songs in style number {k}.\n" for k in range(1, 13))
    new = new.replace("in style number 3.", "in style number 3, with a refund.")
    assert "pricing" not in _topics(old, new)
    assert "pricing" in _topics(old, old.replace("in genre number 3.", "in genre number 3, with a refund."))


def test_the_clause_vocabulary_reads_four_languages() -> None:
    assert vocabulary_topics("Die Rückerstattung erfolgt innerhalb von 14 Tagen.") == ("pricing",)
    assert vocabulary_topics("Los contenidos prohibidos serán retirados.") == ("moderation",)
    assert vocabulary_topics("Tout litige relève des tribunaux de Paris.") == ("arbitration_venue",)
    assert vocabulary_topics("A song is a song.") == ()
