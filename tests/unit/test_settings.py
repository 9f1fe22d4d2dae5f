"""Settings from the environment: each bad value is one line naming its variable."""

import pytest

from search.settings import Settings, SettingsError


@pytest.mark.parametrize("environ,variable", [
    ({"PORT": "abc"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"NEWSDESK_WORKERS": "many"}, "NEWSDESK_WORKERS"),
    ({"NEWSDESK_HOST": "not a host"}, "NEWSDESK_HOST"),
    ({"PROMETHEUS_MULTIPROC_DIR": "", "NEWSDESK_MAX_PAGE_SIZE": "0"}, "NEWSDESK_MAX_PAGE_SIZE"),
])
def test_a_bad_value_names_the_variable_that_was_set(environ, variable):
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environ)
    assert str(raised.value).startswith(variable)


def test_the_api_listens_on_this_machine_only_unless_told():
    assert Settings.from_env({}).host == "127.0.0.1"
    assert Settings.from_env({"NEWSDESK_HOST": "0.0.0.0"}).host == "0.0.0.0"
    assert Settings.from_env({"NEWSDESK_HOST": "::1"}).host == "::1"
