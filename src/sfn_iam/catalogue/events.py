"""Amazon EventBridge: ``events:putEvents`` (request-response, ``.waitForTaskToken``).
Template: eventbridge-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html).

``events:PutEvents`` is authorised on the event bus of each entry: ``Entries`` is a list of
``PutEventsRequestEntry`` objects whose ``EventBusName`` is a bus name or a bus ARN; an entry
without one goes to the account's ``default`` bus. A dynamic bus, a dynamic entry or a
dynamic ``Entries`` list gives ``arn:PARTITION:events:*:*:event-bus/*`` (the template).
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import STATIC, Value
from sfn_iam.rules import RR_WAIT, Res, Rule, dynamic_res, dynamic_value, escape, g, malformed
from sfn_iam.task import Task

DOC = "connect-eventbridge.html"

# eventbridge-iam.md shows the static resource with sample values
# (arn:aws:events:us-east-1:123456789012:event-bus/stepfunctions-sampleproject-eventbus):
# they are placeholders, built here from the entry's bus name and the machine's
# partition, region and account.
BUS = "arn:{partition}:events:{region}:{account}:event-bus/{name}"
ANY_BUS = "arn:{partition}:events:*:*:event-bus/*"
# PutEventsRequestEntry.EventBusName: a name (partner buses contain "/") or a bus ARN.
_NAME = LazyPattern(r"^[/.\-_A-Za-z0-9]{1,256}$")


def _bus_arn(t: Task, text: str) -> str | None:
    """The bus of a static ``EventBusName`` (a name or a bus ARN), None when it is neither."""
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        bus = parsed.resource.partition("event-bus/") if parsed else ("", "", "")
        if parsed and parsed.service == "events" and bus[0] == "" and _NAME.match(bus[2]):
            return escape(text)
        return None
    return t.fmt(BUS, name=escape(text)) if _NAME.match(text) else None


def _bus(t: Task, v: Value) -> list[Res]:
    """The bus named by one entry's ``EventBusName`` value (none when refused)."""
    if v.absent:
        # PutEvents sends an entry without EventBusName to the account's default bus.
        return [Res(t.fmt(BUS, name="default"), v.where)]
    if v.dynamic:
        return dynamic_value(t, v, ANY_BUS, lambda text: _bus_arn(t, text))
    text = v.text or ""
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        bus = parsed.resource.partition("event-bus/") if parsed else ("", "", "")
        if parsed and parsed.service == "events" and bus[0] == "" and _NAME.match(bus[2]):
            # The bus name is checked, not the partition, region and account: escaped.
            return [Res(escape(text), v.where)]
    elif _NAME.match(text):
        return [Res(t.fmt(BUS, name=escape(text)), v.where)]
    return malformed(t, v, f"EventBusName {v.value!r} is not an event bus name or ARN", ANY_BUS)


def buses(t: Task) -> list[Res]:
    entries = t.value("Entries")
    if entries.absent:
        t.finding("missing-parameter", "events:putEvents needs Entries; no permission granted",
                  entries.where)
        return []
    if entries.static and (not isinstance(entries.value, list) or not entries.value):
        t.finding("malformed-value", "Entries should be a non-empty list of events; "
                  "no permission granted", entries.where)
        return []
    if entries.dynamic:  # the whole list is computed at run time (t.items gives it alone)
        return [dynamic_res(t, entries, ANY_BUS)]
    out: list[Res] = []
    where = entries.where
    for i, node in enumerate(entries.value):
        # what t.items("Entries") reads: an object entry is a static object (only strings
        # can be dynamic by themselves), made here without walking to it again
        entry = (Value(STATIC, f"{where}[{i}]", node) if node.__class__ is dict
                 else t.value("Entries", i))
        if entry.dynamic:  # one whole entry is computed at run time
            out.append(dynamic_res(t, entry, ANY_BUS))
        elif not isinstance(entry.value, dict):
            t.finding("malformed-value", "an entry of Entries should be an object", entry.where)
        else:
            out.extend(_bus(t, t.value("Entries", i, "EventBusName")))
    return out


RULES = {"putEvents": Rule(RR_WAIT, (g("events:PutEvents", buses),), DOC)}
