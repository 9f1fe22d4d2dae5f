"""Known names found again in the text: aliases' names and the corpus's confident ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search.enrich.entities.aliases import aliases_from_toml, bundled_text
from search.enrich.entities.canonical import MentionRules
from search.enrich.entities.recall import NameFinder

PER, ORG, LOC = "people", "organisations", "places"
OSCE = aliases_from_toml(
    '[organisations]\n"OSCE" = ["Organization for Security and Cooperation in Europe"]\n')


def finder(counts=None, aliases=OSCE) -> NameFinder:
    return NameFinder.for_corpus(counts or {}, aliases, MentionRules(aliases))


def test_a_name_inside_a_longer_known_name_is_not_its_own():
    text = "Talks under the Organization for Security and Cooperation in Europe resumed."
    mentions = [("the Organization for Security and Cooperation", ORG), ("Europe", LOC)]
    assert finder().complete(text, mentions) == [
        ("Organization for Security and Cooperation in Europe", ORG)]


def test_a_name_the_model_found_twice_is_found_where_it_missed_it():
    counts = {"Glamorgan": {ORG: 2}, "Durham": {ORG: 1}}
    text = "Rain stopped play as Glamorgan 259 and Durham 114 , Glamorgan won ."
    found = finder(counts).complete(text, [("Durham", ORG)])
    assert found == [("Glamorgan", ORG), ("Durham", ORG), ("Glamorgan", ORG)]
    # Seen once only, a name is not looked for elsewhere.
    assert finder(counts).complete("Durham won .", []) == []


def test_a_lone_word_opening_a_sentence_is_not_added():
    counts = {"Reading": {ORG: 3}}
    assert finder(counts).complete("Reading is fun. We beat Reading .", []) == [
        ("Reading", ORG)]


def test_names_match_in_capitals_only_in_a_line_in_capitals():
    counts = {"Dublin": {LOC: 2}}
    text = "IRISH MARKETS CLOSE\nDUBLIN 1996-08-22\nTraders in DUBLIN said so."
    assert finder(counts).complete(text, []) == [("DUBLIN", LOC)]


def test_the_model_longer_reading_stands():
    counts = {"Kent": {ORG: 2}}
    mentions = [("Clark Kent", PER)]
    assert finder(counts).complete("Clark Kent flew .", mentions) == mentions


def test_chrome_demonyms_and_lowercase_are_never_looked_for():
    data = bundled_text()
    lists = aliases_from_toml(data[data.index("\n[ignore]"):], "lists")
    counts = {"Armenian": {LOC: 5}, "AP Photo": {ORG: 4}, "cts": {ORG: 9}}
    assert finder(counts, lists).complete("The Armenian AP Photo cts .", []) == []


@given(st.text(max_size=200), st.lists(st.tuples(st.text(max_size=20),
                                                 st.sampled_from([PER, ORG, LOC])),
                                       max_size=5))
def test_any_text_and_mentions_merge_without_error(text, mentions):
    merged = finder({"Moscow": {LOC: 2}}).complete(text, mentions)
    assert all(m in merged for m in mentions if m[0] not in text)  # unplaced ones stay


def test_a_known_name_with_a_lower_case_common_word_is_that_name():
    lachin = aliases_from_toml('[places]\n"Lachin Corridor" = []\n"Lachin" = []\n')
    mentions = [("Lachin", LOC)]
    assert finder(aliases=lachin).complete("Keep the Lachin corridor open.", mentions) == [
        ("Lachin corridor", LOC)]


def test_a_name_before_a_nationality_word_is_part_of_that_word():
    aliases = aliases_from_toml(bundled_text())
    counts = {"South": {LOC: 3}}
    text = "Gold sold by South Korean traders rose, and the South voted on Monday."
    assert finder(counts, aliases).complete(text, []) == [("South", LOC)]
    assert finder(counts, aliases).find(text)[0][0] == text.index("South voted")


def test_table_labels_and_time_zones_are_never_names():
    aliases = aliases_from_toml(bundled_text())
    rules = MentionRules(aliases)
    for word, label in (("Attendance", PER), ("GMT", ORG), ("Scorers", PER), ("EDT", ORG),
                        ("Extras", PER)):
        assert rules.names(word, label, cleaned=True) == (), word
    assert rules.names("Glamorgan", ORG, cleaned=True)


def test_a_person_span_over_at_is_the_names_on_either_side():
    rules = MentionRules(aliases_from_toml(bundled_text()))
    found = rules.names("Yorkshire at Headingley", PER, cleaned=True)
    assert [n.surface for n in found] == ["Yorkshire", "Headingley"]
    # Other kinds keep " at " (the University of California at Berkeley).
    berkeley = "University of California at Berkeley"
    assert [n.surface for n in rules.names(berkeley, ORG, cleaned=True)] == [berkeley]


def test_an_initial_and_a_surname_is_a_person():
    aliases = aliases_from_toml(bundled_text())
    text = "K. Curran c Stewart b M. McCague 12 , and U.S. Steel rose in S. Korea ."
    found = finder({}, aliases).complete(text, [("Stewart", PER)])
    assert [m for m in found if m[1] == PER] == [
        ("K. Curran", PER), ("Stewart", PER), ("M. McCague", PER)]  # not "S. Steel", "S. Korea"
    # A model's own reading of the same words stands.
    assert finder({}, aliases).complete("K. Curran hit out .", [("K. Curran", ORG)]) == [
        ("K. Curran", ORG)]
