"""Every definition of the shared corpus through the template reader (skipped without the
corpus): the inline definitions with CloudFormation functions and the definitions that are
JSON only after substitution are read too, so every sample gives a policy except the two
whose authors wrote invalid ASL; nothing ends in another exception."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import generate_state_machine, load_state_machines

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
#: the two samples whose authors wrote invalid ASL (a JSON syntax error, a misplaced field)
INVALID = {"sfwc/sfn-iot-data-analytics-dataset", "sfwc/shared-fallback-state-jsonata"}

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(),
                                reason=f"no corpus at {CORPUS}")


def test_every_sample_gives_a_policy_through_the_reader(capsys: pytest.CaptureFixture[str]) -> None:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    refused: dict[str, str] = {}
    policies = 0
    for row in rows:
        (path,) = sorted((CORPUS / row["id"]).glob("definition.asl.*"))
        try:
            for m in load_state_machines(str(path), region="us-east-1", account="123456789012"):
                generate_state_machine(m, region="us-east-1", account="123456789012")
        except DefinitionError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            refused[row["id"]] = str(exc)
            continue
        policies += 1
    samples = {r["id"] for r in rows if r["kind"] == "sample"}
    with capsys.disabled():
        print(f"\ncorpus through the template reader: {policies}/{len(rows)} gave a policy; "
              f"samples: {len(samples - set(refused))}/{len(samples)}")
    assert set(refused) & samples == INVALID, {k: refused[k] for k in set(refused) & samples}
