"""The data sets of ../shared/data: required under CI, optional elsewhere."""

import pytest

from tests.conftest import shared_data


def test_missing_shared_data_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        shared_data("no-such-data-set")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        shared_data("no-such-data-set")
