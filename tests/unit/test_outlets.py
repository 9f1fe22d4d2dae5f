"""Outlet signatures, in rule order, extendable by operators."""

from search.enrich.outlets import OutletRules


def test_bundled_signatures():
    rules = OutletRules.load()
    assert rules.detect("MOSCOW, July 16. /TASS/. Russian Deputy") == "TASS"
    assert rules.detect("text\n(Armenian Defense Ministry via AP)\nmore") == "Associated Press"
    assert rules.detect("WASHINGTON (AP) \u2014 The Senate") == "Associated Press"
    assert rules.detect("prices fell.\n Reuter\n") == "Reuters"
    assert rules.detect("A plain article with no signature.") is None


def test_tass_dateline_beats_an_ap_photo_credit():
    assert OutletRules.load().detect("(AP Photo)\nMOSCOW, July 16. /TASS/. Text") == "TASS"


def test_operator_rules_are_tried_first(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text("[[rule]]\noutlet = 'Local Ledger'\npattern = '/TASS/'\n")
    assert OutletRules.load([extra]).detect("/TASS/") == "Local Ledger"
