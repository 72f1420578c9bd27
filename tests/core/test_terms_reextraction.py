"""Terms noise of the shapes a third real corpus showed (re-extraction, slips, renumbered references, re-sorted
tables, a cut-off capture), and the substantive changes beside them that must still alert. Texts written for
Clausewatch."""

from __future__ import annotations

import re

import pytest

from bot.core.terms.alignment import same_words
from bot.core.terms.availability import not_the_document
from bot.core.terms.verdict import judge_version
from tests.pipeline.test_terms_noise import DOC, with_clause

ANCHOR = "3.3 You may close your account at any time from the settings page.\n"


def alerts(old: str, new: str) -> bool:
    return judge_version(old, new).kind == "change"


def test_headings_glued_to_their_hashes_and_a_clause_joined_to_the_one_before_are_noise() -> None:
    """The archive's extraction changed: "## 3. Accounts" became "##3. Accounts" and a line break between two
    numbered clauses became a space."""
    new = DOC.replace("## 3. Accounts", "##3. Accounts").replace(
        "private; you answer for what happens under your account.\n3.3 You",
        "private; you answer for what happens under your account. 3.3 You")
    assert not alerts(DOC, new), judge_version(DOC, new).changes
    assert not alerts(new, DOC)


def test_a_clause_joined_to_another_with_new_words_still_alerts() -> None:
    new = DOC.replace("under your account.\n3.3 You", "under your account and your devices. 3.3 You")
    assert alerts(DOC, new)


def test_emphasis_marks_left_at_the_edge_of_a_word_are_noise() -> None:
    new = DOC.replace("from the settings page.", "from the settings page_._")
    assert not alerts(DOC, new)
    assert not alerts(new, DOC)


@pytest.mark.parametrize(("name", "before", "after"), [
    ("a long word's first letter put right", "3.4 Privacy details are imbedded in each feature.\n",
     "3.4 Privacy details are embedded in each feature.\n"),
    ("a two-letter word missing its first letter", "3.4 Refunds. f you cancel, we refund the month if unused.\n",
     "3.4 Refunds. If you cancel, we refund the month if unused.\n"),
    ("a stray letter at the end of a clause", "3.4 You can reach support by chat; y\n",
     "3.4 You can reach support by chat;\n"),
])
def test_slips_of_the_keyboard_are_noise(name: str, before: str, after: str) -> None:
    old, new = with_clause(DOC, ANCHOR, before), with_clause(DOC, ANCHOR, after)
    assert not alerts(old, new), judge_version(old, new).changes
    assert not alerts(new, old)


@pytest.mark.parametrize(("name", "before", "after"), [
    ("a short word's first letter", "3.4 Fees may change.\n", "3.4 Fees way change.\n"),
    ("a word added at the end", "3.4 You can reach support by chat\n", "3.4 You can reach support by chat only\n"),
    ("a two-letter word for another", "3.4 Refunds. If you cancel, we refund the unused month.\n",
     "3.4 Refunds. Of you cancel, we refund the unused month.\n"),
])
def test_edits_that_look_like_slips_but_change_words_still_alert(name: str, before: str, after: str) -> None:
    old, new = with_clause(DOC, ANCHOR, before), with_clause(DOC, ANCHOR, after)
    assert alerts(old, new)


def test_a_renumbered_cross_reference_is_noise_and_a_changed_figure_is_not() -> None:
    old = with_clause(DOC, ANCHOR, "3.4 Disputes are settled as set out in Section 17 of these terms.\n")
    assert not alerts(old, old.replace("Section 17", "Section 16"))
    assert alerts(old, old.replace("set out in Section 17", "set out within 17 days"))
    notice = with_clause(DOC, ANCHOR, "3.4 We give you 30 days' notice before a price change.\n")
    assert alerts(notice, notice.replace("30 days", "14 days"))


TABLE = """
## 8. Cookies we use

| Site | Cookies | Kind |
|---|---|---|
| tunely.test | session, consent, player_volume | first party |
| cdn.tunely.test | edge_id, _lb | first party |
| stats.example | _sid, _visit, ab_group | third party |
"""


def test_a_cookie_table_re_sorted_is_noise() -> None:
    old = DOC + TABLE
    new = DOC + TABLE.replace("session, consent, player_volume", "player_volume, session, consent").replace(
        "| cdn.tunely.test | edge_id, _lb |", "| cdn.tunely.test | lb, edge_id |").replace(
        "_sid, _visit, ab_group", "ab_group, _visit, _sid")
    assert not alerts(old, new), judge_version(old, new).changes
    assert not alerts(new, old)


def test_a_cookie_added_to_a_table_still_alerts() -> None:
    old = DOC + TABLE
    new = DOC + TABLE.replace("_sid, _visit, ab_group", "ab_group, _visit, _sid, ad_profile")
    assert alerts(old, new)


def test_a_capture_cut_off_mid_sentence_is_not_the_document() -> None:
    long_doc = DOC + "".join(f"\n## {9 + k}. Extra part {k}\n\n{9 + k}.1 Nothing else changes in part {k}.\n"
                             for k in range(40))
    cut = long_doc[:long_doc.index("2.2 You grant Tunely a worldwide") + 40]  # (it stops inside a sentence)
    reason = not_the_document(cut, long_doc)
    assert reason is not None and "cut short" in reason
    assert judge_version(long_doc, cut).kind == "not_document"


def test_a_document_shortened_at_a_section_end_is_a_change() -> None:
    long_doc = DOC + "".join(f"\n## {9 + k}. Extra part {k}\n\n{9 + k}.1 Nothing else changes in part {k}.\n"
                             for k in range(40))
    shortened = long_doc[:long_doc.index("## 3. Accounts")]
    assert not_the_document(shortened, long_doc) is None
    assert judge_version(long_doc, shortened).kind == "change"


def test_a_cookie_banner_in_two_sentences_either_way_round_is_noise() -> None:
    banner = ("We use cookies to give you the best possible experience on our website. Read our cookie notice.  \n"
              "By continuing to browse this site, or closing this box, you accept our use of cookies.\n\n")
    assert not alerts(banner + DOC, DOC), judge_version(banner + DOC, DOC).changes
    assert not alerts(DOC, banner + DOC)


def test_a_cookie_clause_of_the_terms_still_alerts() -> None:
    clause = "3.4 We use cookies to measure how many listeners finish a track.\n"
    assert alerts(with_clause(DOC, ANCHOR, clause), DOC)


def test_a_figure_dropped_at_the_end_of_a_clause_still_alerts() -> None:
    old = with_clause(DOC, ANCHOR, "3.4 Refunds are paid within 14\n")
    assert alerts(old, old.replace("within 14\n", "within\n"))


POLICIES = """
## 8. Other policies

- [Tunely Studio Privacy Policy](https://tunely.test/studio/privacy)
- [Tunely Live Privacy Policy](https://tunely.test/live/privacy)
- [Tunely Radio Privacy Policy](https://tunely.test/radio/privacy)
"""


def test_a_policy_added_to_a_list_of_links_in_the_body_alerts() -> None:
    new = POLICIES.replace("- [Tunely Radio", "- [Tunely Merch Privacy Policy](https://tunely.test/merch)\n- [Tunely Radio")
    assert alerts(DOC + POLICIES, DOC + new)
    assert alerts(DOC + new, DOC + POLICIES)


SITES = """
## 9. Sites this policy covers

- [Tunely Studio](https://studio.tunely.test/)
- [Beatline](https://beatline.test/), [Beatline Pro](https://pro.beatline.test/)
- [Sample Vault Archive](https://vault.test/)
- [Loop Market](https://loopmarket.test/), [Stem Exchange](https://stems.test/)
"""


def test_a_site_dropped_from_a_list_whose_items_hold_several_links_alerts() -> None:
    """A privacy policy's list of the sites it covers, some items naming two sites: one site less is a change."""
    assert alerts(DOC + SITES, DOC + SITES.replace("- [Sample Vault Archive](https://vault.test/)\n", ""))
    assert alerts(DOC + SITES.replace("- [Sample Vault Archive](https://vault.test/)\n", ""), DOC + SITES)


def test_a_language_picker_or_a_table_of_contents_entry_in_the_body_stays_chrome() -> None:
    picker = "\n## Language\n\n- [dansk](/da)\n- [Deutsch](/de)\n- [euskara](/eu)\n"
    assert not alerts(DOC + picker, DOC + picker.replace("- [Deutsch](/de)\n", "- [Deutsch](/de)\n- [español (formal)](/es)\n"))
    contents = "\n## Contents\n\n- [Who we are](#1)\n- [Your content](#2)\n- [Payouts and fees](#4)\n"
    with_entry = contents.replace("- [Your content](#2)\n", "- [Your content](#2)\n- [Ending the contract](#6)\n")
    assert not alerts(DOC + contents, DOC + with_entry)  # (a heading of the page: a table of contents)


def test_the_same_words_in_the_same_order_are_noise_however_the_page_is_laid_out() -> None:
    """A capture that glued each section title into its first clause ("Accounts 3.1 You …") and made every printed
    line of a clause its own paragraph: the same words in the same order, so nothing to post, whichever way."""
    glued = re.sub(r"^## (.*)\n\n", r"\1 ", DOC, flags=re.M)
    printed = "\n\n".join(line for paragraph in glued.split("\n")
                           for line in (_wrapped(paragraph, 30) if paragraph[:1].isalpha() else [paragraph]))
    for new in (glued, printed):
        assert not alerts(DOC, new), judge_version(DOC, new).changes
        assert not alerts(new, DOC)
    assert "private" in printed and alerts(DOC, printed.replace("private", "public"))  # one word changed alerts


def _wrapped(paragraph: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split(" "):
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    return [*lines, line]


def test_words_glued_by_a_capture_and_a_new_date_line_are_noise() -> None:
    """Lines joined without their space ("wecollect"), here and there, and the date line moved on."""
    new = (DOC.replace("Last updated: 1 March 2024", "Last updated: 2 May 2024")
           .replace("musicians publish", "musicianspublish").replace("your password", "yourpassword"))
    assert not alerts(DOC, new), judge_version(DOC, new).changes
    assert alerts(DOC, new.replace("private", "public"))


def test_numbering_added_to_headings_and_clauses_and_a_title_shown_are_noise() -> None:
    """A capture that numbers every paragraph ("2.1", "2.2"), glues some numbers into the line before, and shows
    the document's title as a heading of its own."""
    numbered = re.sub(r"^## \d+\. ", "## ", DOC, flags=re.M)  # the old capture: headings without numbers
    new = DOC.replace("# Tunely Terms of Service\n", "# Tunely Terms of Service\n\n## Terms and conditions\n")
    new = new.replace("answer for what happens under your account.\n3.3 You",
                      "answer for what happens under your account. 3.3 You")
    assert not alerts(numbered, new), judge_version(numbered, new).changes
    assert not alerts(new, numbered)
    assert alerts(numbered, new.replace("16 years", "13 years"))  # a figure in a clause still alerts


def test_clauses_numbered_with_a_parenthesis_and_an_address_written_out_anew_are_noise() -> None:
    """A new capture numbers each clause "1.1)" where the old had no numbers, and the page's written-out address
    of a policy lost a folder ("tunely.test/terms/artists/ai" → "tunely.test/terms/ai")."""
    old = re.sub(r"^\d\.\d ", "", DOC, flags=re.M) + "\nOur AI rules are at www.tunely.test/terms/artists/ai today.\n"
    new = re.sub(r"^(\d\.\d) ", r"\1) ", DOC, flags=re.M) + "\nOur AI rules are at www.tunely.test/terms/ai today.\n"
    assert not alerts(old, new), judge_version(old, new).changes
    assert not alerts(new, old)
    assert alerts(old, new.replace("16 years", "18 years"))


def test_a_copyright_notice_with_a_new_year_is_noise_even_mid_page() -> None:
    """A notice between two parts of the capture (an embedded widget's own footer), its year bumped."""
    old = DOC.replace("## 7. Contact", "©2019 Tunely Ltd. All rights reserved.\n\n## 7. Contact")
    assert not alerts(old, old.replace("©2019", "©2020")), judge_version(old, old.replace("©2019", "©2020")).changes
    assert alerts(old, old.replace("©2019 Tunely Ltd. All rights reserved.",
                                   "Copyright in what you upload stays with you; we take no licence to it."))


def test_a_notice_period_changed_in_a_clause_that_also_dates_something_alerts() -> None:
    """"effective" in the clause made any figure in it look like a date: 130 days' notice becoming 30 is a change."""
    clause = ("3.4 Price increases are effective from your next payment, and we give you at least 130 days prior "
              "notice before they apply.\n")
    old = with_clause(DOC, ANCHOR, clause)
    assert alerts(old, old.replace("at least 130 days", "at least 30 days"))
    dated = with_clause(DOC, ANCHOR, "3.4 This section is effective from 1 March 2024.\n")
    assert not alerts(dated, dated.replace("1 March 2024", "9 April 2024"))  # a date in a dating clause is noise


LONG = DOC + "".join(f"\n## {n}. Part {n}\n\n{n}.1 Each party keeps its own rights under part {n}, which lasts as long "
                     f"as the account it concerns stays open and is read with the other parts.\n" for n in range(8, 20))


def test_a_capture_that_breaks_off_inside_a_paragraph_is_not_the_document() -> None:
    """The page stopped loading inside part 14 (a word cut in two, an emphasis mark left open), and a clause
    above changed too: nothing is posted until the whole page comes back."""
    cut = LONG[:LONG.index("14.1 Each party keeps its own rights under part 14, which la") + 60] + "_"
    cut = cut.replace("at least 16 years old", "at least 18 years old")
    verdict = judge_version(LONG, cut)
    assert verdict.kind == "not_document" and "cut short" in verdict.reason, verdict
    ended = LONG[:LONG.index("## 14. Part 14")]  # the last parts removed, ending on a finished sentence
    assert alerts(LONG, ended)
    on_a_heading = LONG[:LONG.index("14.1 Each party")].rstrip()  # ending on a heading, no paragraph broken
    assert alerts(LONG, on_a_heading)


def test_a_site_address_written_in_a_clause_keeps_its_host() -> None:
    """The terms govern the site at the address they write out: another host is a change, another path or a
    tracking parameter on the same host is not."""
    old = DOC + "\n8.1 These terms govern the site at [https://tunely.test](https://tunely.test/).\n"
    assert alerts(old, old.replace("[https://tunely.test]", "[https://studio.tunely.test]"))
    assert not alerts(old, old.replace("[https://tunely.test]", "[https://www.tunely.test/?utm_source=mail]"))


FRENCH = """# Conditions d'utilisation de Tunely

## 1. Qui sommes-nous

1.1 Tunely exploite un service sur lequel les musiciens publient leurs enregistrements et les vendent à leurs fans.

## 2. Vos contenus

2.1 Vous restez propriétaire de chaque enregistrement, couverture et texte que vous publiez sur le service.
2.2 Vous nous accordez une licence pour héberger et diffuser vos contenus tant qu'ils restent publiés.

## 3. Comptes

3.1 Vous devez avoir au moins 16 ans pour ouvrir un compte.
3.2 Gardez votre mot de passe secret ; vous répondez de ce qui se passe sous votre compte.
3.3 Vous pouvez fermer votre compte à tout moment depuis la page des réglages.
"""


def test_the_page_served_in_another_of_its_languages_is_recorded_not_posted() -> None:
    """The French page came back as the English one (a translation, not a new version): clause by clause all of
    it would differ. A change within one language still alerts."""
    verdict = judge_version(FRENCH, DOC)
    assert verdict.kind == "noise" and "now in its en version (was fr)" in verdict.reason, verdict
    assert judge_version(DOC, FRENCH).kind == "noise"
    assert alerts(FRENCH, FRENCH.replace("au moins 16 ans", "au moins 13 ans"))


def test_a_line_holding_only_a_figure_is_no_clause_number_to_the_word_reading() -> None:
    """A price list laid out one cell a line: a figure on a line of its own is no numbering the word reading may
    forgive (whatever the clause rules then make of the line), while "1.1) By using …" is."""
    old = "Plan\n\nPro\n\n12\n\nPrices are billed each month."
    assert not same_words(old, old.replace("12\n", "12\n\n15\n"))
    assert same_words("By using the app you accept these terms.", "1.1) By using the app you accept these terms.")
