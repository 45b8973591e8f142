"""``sfn-iam audit`` over the corpus samples that declare their role's permissions
(``scripts/audit_corpus.py``; skipped without ``../shared/corpus``): no crash, and the
figures of the README's "Audit on real roles"."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(),
                                reason=f"no corpus at {CORPUS}")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_corpus",
                                                  ROOT / "scripts" / "audit_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_audit_runs_over_every_declared_role(capsys: pytest.CaptureFixture[str]) -> None:
    tally = _script().measure(CORPUS)
    with capsys.disabled():
        print("\n" + "\n".join(tally.lines()))
    assert tally.crashes == []
    assert tally.roles >= 200
    # hand-checked examples (README "Audit on real roles"): real gaps in the authors' roles
    report = tally.reports["sfwc/segment-detection-workflow#1"]
    (m,) = report.missing
    assert m.need.action == "mediaconvert:CancelJob" and "billing" in m.consequence
    timer = {m.need.action for m in tally.reports["sfwc/sfn-sns-task-timer__TaskTimer#1"].missing}
    assert {"states:DescribeExecution", "states:StopExecution"} <= timer
    # the 8 log-delivery actions of the console and the CDK are enough: not missing
    assert not [m for r in tally.reports.values() for m in r.missing
                if m.need.action in ("logs:CreateLogStream", "logs:PutLogEvents")]


def test_every_generated_corpus_policy_audits_clean() -> None:
    """The generator's policy for each corpus definition allows exactly what it needs,
    under the audit's evaluator (which shares no code with the merge): nothing missing,
    nothing excess, nothing undecided."""
    import csv
    import importlib

    from sfn_iam import generate_policy
    from sfn_iam.audit import audit
    from sfn_iam.errors import DefinitionError

    corpus_test = importlib.import_module("tests.test_corpus")
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    audited, bad = 0, []
    for row in rows:
        folder = CORPUS / row["id"]
        (path,) = sorted(folder.glob("definition.asl.*"))
        text = path.read_text(encoding="utf-8")
        try:
            result = generate_policy(path.read_bytes(), region="us-east-1",
                                     account="123456789012",
                                     substitutions=corpus_test.substitutions(folder, text))
        except DefinitionError:
            continue
        report = audit(result, [result.document])
        audited += 1
        if report.missing or report.excess or report.undecided:
            bad.append(f"{row['id']}: {report.to_json()}"[:400])
    assert audited > 600
    assert bad == []
