"""The `slow` marker: tests that take minutes (e.g. the exhaustive paper-scale dry run) are skipped unless
`--run-slow` is given (or ADIOS_NB_RUN_SLOW=1), so that `make test` stays within its budget."""
import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run the tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes minutes; skipped unless --run-slow (or ADIOS_NB_RUN_SLOW=1)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow") or os.environ.get("ADIOS_NB_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (or ADIOS_NB_RUN_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
