from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Property tests: no per-example deadline (the machines are shared and noisy: a slow example is
# not a failure). In CI (CI=true) the examples are derandomized, so a run is reproducible and a
# submission lands or not on its own code; the random search runs on every developer's machine.
settings.register_profile("sfn-iam", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("sfn-iam"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "sfn-iam")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.json from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
