"""Every definition of the shared corpus (``../shared/corpus``, ~700 definitions from public
projects) through the generator: a policy or a deliberate DefinitionError, never another
exception. Skipped when the corpus is absent. Prints how many definitions gave a policy
and how many Task states the catalogue recognised (``pytest -s`` or the normal progress
output)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sfn_iam import generate_policy
from sfn_iam.errors import DefinitionError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REGION, ACCOUNT, PARTITION = "us-east-1", "123456789012", "aws"
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": PARTITION,
          "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "stack"}

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(),
                                reason=f"no corpus at {CORPUS}")


def _render(value: Any) -> str | None:
    """A CloudFormation value as the string it stands for, or None when that is unknowable
    before deployment (the placeholder then stays, and the generator treats it as dynamic).
    ``Ref`` of a resource stands for its name (the logical ID); pseudo parameters get the
    test's region and account."""
    if isinstance(value, str):
        return None if "${" in value else value  # Terraform expressions stay unresolved
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((fn, arg),) = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return PSEUDO.get(arg, arg)
    if fn == "Fn::Sub":
        template, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        if not isinstance(template, str) or not isinstance(names, dict):
            return None

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in names:
                return _render(names[name]) or name
            return PSEUDO.get(name, name.split(".")[0])  # ${Res.Attr} -> the logical ID

        return re.sub(r"\$\{([^}!]+)\}", one, template)
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        parts = [_render(p) for p in arg[1]]
        return None if None in parts else str(arg[0]).join(p for p in parts if p is not None)
    return None


def substitutions(folder: Path, text: str) -> dict[str, str]:
    """``substitutions.json``: ``{"declarations": [{"values": {NAME: value}}]}``, one per
    template that deploys the definition; the first declaration wins on a clash. A
    ``Fn::GetAtt X.Arn`` used as a whole Task ``Resource`` is a Lambda function's ARN (the
    only resource an ARN attribute can be there); other attributes stay unresolved."""
    path = folder / "substitutions.json"
    # CloudFormation fills the pseudo parameters of a Fn::Sub DefinitionString itself
    pseudo = {k: v for k, v in PSEUDO.items() if f"${{{k}}}" in text}
    if not path.is_file():
        return pseudo
    as_resource = set(re.findall(r"Resource[\"']?\s*:\s*[\"']?\$\{(\w+)\}", text))
    out: dict[str, str] = {}
    for decl in json.loads(path.read_text())["declarations"]:
        for name, value in decl.get("values", {}).items():
            if name in out:
                continue
            rendered = _render(value)
            if rendered is None and name in as_resource and isinstance(value, dict):
                target = value.get("Fn::GetAtt")
                if isinstance(target, list) and target[1:] == ["Arn"]:
                    rendered = f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{target[0]}"
            if rendered is not None:
                out[name] = rendered
    return pseudo | out


@dataclass
class Tally:
    definitions: int = 0
    policies: int = 0
    tasks: int = 0
    recognised: int = 0
    sdk_tasks: int = 0
    sdk_granted: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def line(self, label: str) -> str:
        top = ", ".join(f"{n} {what}" for what, n in
                        sorted(self.errors.items(), key=lambda kv: -kv[1])[:4])
        return (f"{label}: {self.policies}/{self.definitions} definitions gave a policy; "
                f"{self.recognised}/{self.tasks} Task states recognised; {self.sdk_granted}/"
                f"{self.sdk_tasks} AWS SDK Task states granted for their service; "
                f"refused: {top or 'none'}")


def _sdk_counts(result: Any, data: bytes, name: str) -> tuple[int, int]:
    """(AWS SDK Task states, those that got a grant of their own ``aws-sdk:`` rule, in the
    execution role's policy or a cross-account target role's)."""
    from sfn_iam.load import load_definition
    from sfn_iam.walk import iter_states

    tasks = {ref.path for ref in iter_states(load_definition(data, name), only=frozenset({"Task"}))
             if ":aws-sdk:" in str(ref.body.get("Resource"))}
    grants = [*result.grants, *(g for gs in result.target_grants.values() for g in gs)]
    granted = {g.why.state_path for g in grants if g.why.rule.startswith("aws-sdk:")}
    return len(tasks), len(tasks & granted)


def _error_kind(message: str) -> str:
    for needle, kind in (("CloudFormation function", "CloudFormation functions"),
                         ("not valid JSON", "not valid JSON"),
                         ("not valid JSON or YAML", "not valid YAML"),
                         ('"Type"', "bad state Type"), ('"Resource"', "Task without Resource")):
        if needle in message:
            return kind
    return "other structural error"


def test_every_corpus_definition_gives_a_policy_or_a_clear_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    tallies = {"all": Tally(), "samples": Tally()}
    crashes: list[str] = []
    unclear: list[str] = []
    for row in rows:
        folder = CORPUS / row["id"]
        (path,) = sorted(folder.glob("definition.asl.*"))
        text = path.read_text(encoding="utf-8")
        kept = [tallies["all"]] + ([tallies["samples"]] if row["kind"] == "sample" else [])
        for t in kept:
            t.definitions += 1
        try:
            result = generate_policy(path.read_bytes(), region=REGION, account=ACCOUNT,
                                     substitutions=substitutions(folder, text),
                                     source=str(path.relative_to(CORPUS)))
        except DefinitionError as exc:
            message = str(exc)
            if "\n" in message or not message.startswith(str(path.relative_to(CORPUS))):
                unclear.append(f"{path}: {message!r}")
            for t in kept:
                kind = _error_kind(message)
                t.errors[kind] = t.errors.get(kind, 0) + 1
            continue
        except Exception as exc:  # the point of the test: name the file
            crashes.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        json.dumps(result.document)
        sdk_tasks, sdk_granted = _sdk_counts(result, path.read_bytes(), str(path))
        for t in kept:
            t.policies += 1
            t.tasks += result.task_states
            t.recognised += result.recognised
            t.sdk_tasks += sdk_tasks
            t.sdk_granted += sdk_granted
    with capsys.disabled():
        print()
        for label, t in tallies.items():
            print(f"corpus {t.line(label)}")
    assert not crashes, "exceptions other than DefinitionError:\n" + "\n".join(crashes)
    assert not unclear, "errors that do not name the file on one line:\n" + "\n".join(unclear)
    assert tallies["all"].definitions == len(rows) > 0
    samples = tallies["samples"]
    # issue 10: at least 99% of the samples' AWS SDK Task states get a grant for their service
    assert samples.sdk_granted >= 0.99 * samples.sdk_tasks > 0, samples.line("samples")
