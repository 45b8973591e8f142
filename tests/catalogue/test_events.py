"""EventBridge rules pinned to eventbridge-iam.md: events:PutEvents on each entry's event bus
(static; the template's sample region/account/bus are placeholders), the default bus for an
entry without EventBusName, arn:aws:events:*:*:event-bus/* when a bus or the list is dynamic."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, atoms, codes, run, stmt, task

PUT = "arn:aws:states:::events:putEvents"
BUS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus"
ANY_BUS = "arn:aws:events:*:*:event-bus/*"
SUFFIXES = ["", ".waitForTaskToken"]


def entry(**kw: object) -> dict:
    return {"Source": "my.app", "DetailType": "Thing", "Detail": {"k": "v"}, **kw}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("bus", "arn"),
    [
        ("orders", f"{BUS}/orders"),
        ("default", f"{BUS}/default"),
        ("arn:aws:events:eu-west-1:111122223333:event-bus/central",
         "arn:aws:events:eu-west-1:111122223333:event-bus/central"),
    ],
)
def test_static_bus(suffix: str, bus: str, arn: str) -> None:
    r = run(task(PUT + suffix, {"Entries": [entry(EventBusName=bus)]}))
    assert_policy(r, stmt("events:PutEvents", arn))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_entry_without_bus_goes_to_default(suffix: str) -> None:
    r = run(task(PUT + suffix, {"Entries": [entry()]}))
    assert_policy(r, stmt("events:PutEvents", f"{BUS}/default"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_entry_counts(suffix: str) -> None:
    r = run(task(PUT + suffix, {"Entries": [entry(EventBusName="a"), entry(),
                                            entry(EventBusName="b"), entry(EventBusName="a")]}))
    assert_policy(r, stmt("events:PutEvents", [f"{BUS}/a", f"{BUS}/default", f"{BUS}/b"]))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_dynamic_bus(suffix: str) -> None:
    r = run(task(PUT + suffix, {"Entries": [entry(EventBusName="a"),
                                            entry(**{"EventBusName.$": "$.bus"})]}))
    assert_policy(r, stmt("events:PutEvents", ANY_BUS))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Entries[1].EventBusName.$"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_dynamic_entries_list(suffix: str) -> None:
    r = run(task(PUT + suffix, {"Entries.$": "$.events"}))
    assert_policy(r, stmt("events:PutEvents", ANY_BUS))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Entries.$"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_jsonata(suffix: str) -> None:
    static = run(task(PUT + suffix, {"Entries": [entry(EventBusName="orders",
                                                       Detail="{% $states.input %}")]},
                      jsonata=True))
    assert_policy(static, stmt("events:PutEvents", f"{BUS}/orders"))
    assert static.warnings == []
    bus = run(task(PUT + suffix, {"Entries": [entry(EventBusName="{% $states.input.bus %}")]},
                   jsonata=True))
    assert_policy(bus, stmt("events:PutEvents", ANY_BUS))
    assert [w.parameter for w in bus.warnings] == ["Arguments.Entries[0].EventBusName"]
    whole = run(task(PUT + suffix, {"Entries": "{% $states.input.events %}"}, jsonata=True))
    assert_policy(whole, stmt("events:PutEvents", ANY_BUS))
    assert codes(whole) == ["dynamic-resource"]
    one = run(task(PUT + suffix, {"Entries": [entry(EventBusName="a"), "{% $states.input.e %}"]},
                   jsonata=True))
    assert_policy(one, stmt("events:PutEvents", ANY_BUS))
    assert [w.parameter for w in one.warnings] == ["Arguments.Entries[1]"]


def test_template_sample_values_are_not_copied() -> None:
    r = run(task(PUT, {"Entries": [entry(EventBusName="b")]}), region="eu-central-1",
            account="999988887777")
    assert_policy(r, stmt("events:PutEvents", "arn:aws:events:eu-central-1:999988887777:event-bus/b"))


def test_unknown_region_and_account() -> None:
    r = run(task(PUT, {"Entries": [entry()]}), region=None, account=None)
    assert_policy(r, stmt("events:PutEvents", "arn:aws:events:*:*:event-bus/default"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_partner_bus_name() -> None:
    name = "aws.partner/example.com/123/feed"
    r = run(task(PUT, {"Entries": [entry(EventBusName=name)]}))
    assert_policy(r, stmt("events:PutEvents", f"{BUS}/{name}"))


@pytest.mark.parametrize(
    "bad", ["arn:aws:events:us-east-1:111122223333:rule/r", "has space", ""]
)
def test_malformed_bus(bad: str) -> None:
    r = run(task(PUT, {"Entries": [entry(EventBusName=bad)]}))
    assert "malformed-value" in codes(r)
    assert_policy(r, stmt("events:PutEvents", ANY_BUS))


@pytest.mark.parametrize("entries", [[], {"Source": "x"}])
def test_entries_not_a_list(entries: object) -> None:
    r = run(task(PUT, {"Entries": entries}))
    assert "malformed-value" in codes(r)
    assert r.document["Statement"] == []


def test_missing_entries() -> None:
    r = run(task(PUT, {}))
    assert "missing-parameter" in codes(r)
    assert r.document["Statement"] == []


def test_unsupported_sync() -> None:
    r = run(task(PUT + ".sync", {"Entries": [entry()]}))
    assert codes(r)[0] == "unsupported-pattern"
    # Never more than request-response.
    assert atoms(r.document["Statement"]) <= atoms([stmt("events:PutEvents", f"{BUS}/default")])
