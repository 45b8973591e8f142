"""Task.fmt / Task.named fill ARN templates from a cache shared by every run: the text must be
what str.format gives, and each run must still learn which unknowns (region, account) it used."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.arn import Env
from sfn_iam.task import Task
from sfn_iam.walk import StateRef

REF = StateRef(("A",), {"Type": "Task"}, "JSONPath", "Task")


def _task(env: Env, partition: str = "aws") -> Task:
    return Task(REF, "x:y", "", env, partition, "arn:aws:states:::x:y")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([None, "us-east-1", "cn-north-1"]),
       st.sampled_from([None, "123456789012", "{weird}"]),
       st.sampled_from([None, "aws", "aws-us-gov"]),
       st.sampled_from(["aws", "aws-cn"]),
       st.text(alphabet="ab{}*$-/", max_size=8))
def test_fmt_and_named_fill_like_format(region: str | None, account: str | None,
                                         partition: str | None, task_partition: str,
                                         name: str) -> None:
    template = "arn:{partition}:svc:{region}:{account}:thing/{name}"
    for _ in range(2):  # the second time from the cache: same text, same unknowns recorded
        env = Env(region, account, partition)
        t = _task(env, task_partition)
        expected = template.format(
            partition=partition or env.partition_or(task_partition),
            region=region or "*", account=account or "*", name=name)
        assert t.fmt(template, name=name) == expected
        assert t.named(template, name) == expected
        unknown = {k for k, v in (("region", region), ("account", account)) if not v}
        assert env.used_unknown == unknown


def test_a_template_without_names_and_one_that_needs_them() -> None:
    t = _task(Env("us-east-1", "123456789012"))
    assert t.fmt("arn:{partition}:events:{region}:{account}:rule/R") == (
        "arn:aws:events:us-east-1:123456789012:rule/R")
    with pytest.raises(KeyError):
        t.fmt("arn:{partition}:x:{name}")  # a name is missing: as str.format says
    env = Env(None, "123456789012")
    _task(env).fmt("arn:{partition}:x:{account}:y")
    assert env.used_unknown == set()  # the region is not in this template
