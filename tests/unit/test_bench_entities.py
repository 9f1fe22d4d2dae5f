"""The entity benchmark's scoring: per article, case-folded, surnames match full names."""

from bench.entities import score


def test_scoring_counts_names_per_article_with_the_surname_rule_and_types():
    gold = {"a": {"people": {"Phil Simmons"}, "organisations": {"Somerset"},
                  "places": {"London"}}}
    found = {"a": {"people": {"simmons", "Mark Butcher"}, "organisations": {"London"},
                   "places": set()}}
    typed = score(found, gold, typed=True)
    assert (typed.tp, typed.fp, typed.fn) == (1, 2, 2)  # London typed wrong: a miss and an FP
    anytype = score(found, gold, typed=False)
    assert (anytype.tp, anytype.fp, anytype.fn) == (2, 1, 1)
    p, r, f = anytype.row()
    assert (round(p, 3), round(r, 3), round(f, 3)) == (0.667, 0.667, 0.667)
    assert score({}, gold, typed=True).fn == 3  # an article with nothing found
