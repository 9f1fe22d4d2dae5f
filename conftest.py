"""Project-wide pytest configuration."""


def pytest_configure(config):
    # Tests that load the real spaCy model: slower (a few seconds), run by default;
    # deselect with `-m "not model"` for a quick loop.
    config.addinivalue_line("markers", "model: runs the real spaCy NER model")
