"""Run ``sfn-iam audit`` over the corpus samples that declare their role's permissions
(``../shared/corpus/<source>/<workflow>/permissions.json``; layout in ``STATS.md``) and count
the roles that miss permissions and the roles that are over-broad.

    python scripts/audit_corpus.py [--corpus DIR] [--details] [--mirror GIT_DIR]

``--mirror DIR``: git directories of the source repositories, ``DIR/<owner>+<name>/repo``; the
roles of their samples are then read from the real templates with ``--template-role``'s code
(SAM policy templates, Connectors, names from the resources' properties).

The templates themselves are not in the corpus, only the declarations, so intrinsics are
resolved without resource types, the way ``tests/test_corpus.py`` resolves substitutions: a
``Ref`` of a resource stands for its name (the logical ID), and an ARN (``Fn::GetAtt X.Arn``,
or a ``Ref`` as a statement's whole ``Resource``) is built for the one service of the
statement's actions (``lambda:*`` -> ``arn:aws:lambda:R:A:function:X``). What cannot be told
(several services, an unknown attribute, a Terraform expression) stays ``${...}``: the
evaluator treats it as undecided, never as allowed or missing.

``tests/audit/test_corpus_audit.py`` runs :func:`measure` and checks 0 crashes.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sfn_iam.audit import AuditReport, audit
from sfn_iam.audit.roles import RoleError, RolePolicies, default_resolver, sam_policies
from sfn_iam.errors import DefinitionError
from sfn_iam.evaluate import PolicyError
from sfn_iam.generate import generate_policy

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REGION, ACCOUNT = "us-east-1", "123456789012"

#: IAM service -> the ARN of a resource named X (the logical ID when the name is unknown)
_ARNS = {
    "lambda": "arn:aws:lambda:{r}:{a}:function:{n}",
    "sns": "arn:aws:sns:{r}:{a}:{n}",
    "sqs": "arn:aws:sqs:{r}:{a}:{n}",
    "dynamodb": "arn:aws:dynamodb:{r}:{a}:table/{n}",
    "states": "arn:aws:states:{r}:{a}:stateMachine:{n}",
    "s3": "arn:aws:s3:::{n}",
    "codebuild": "arn:aws:codebuild:{r}:{a}:project/{n}",
}
# not events (a bus, a rule, a connection...), glue (a job, a crawler...), iam, logs: the ARN
# of such an X cannot be told from the action


class CorpusResolver:
    """A resolver for declarations without their template, hence without resource types:
    pseudo parameters, ``Ref X`` -> ``X``; ``X.Arn`` -> the ARN for the statement's service
    (``service``), else ``${X.Arn}``; ``Fn::Sub``, ``Fn::Join``; any other function stays
    ``${Fn::...}``. (A real template is read with the template readers' own resolver:
    :func:`from_template`.)"""

    service: str | None = None

    def __init__(self, region: str = REGION, account: str = ACCOUNT) -> None:
        self.region, self.account = region, account
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account,
                       "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

    def __call__(self, value: Any) -> Any:
        return self.resolve(value)

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > 50:
            return "${...}"
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" and isinstance(arg, str):
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and all(
                        isinstance(p, str) for p in parts):
                    return self.get_att(parts[0], parts[1])
                return "${Fn::GetAtt}"
            if key == "Fn::Sub":
                return self.sub(arg, depth)
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                parts = self.resolve(arg[1], depth + 1)
                if isinstance(arg[0], str) and isinstance(parts, list) and all(
                        isinstance(p, str) for p in parts):
                    return arg[0].join(parts)
                return "${Fn::Join}"
            if key.startswith("Fn::") or key == "Condition":
                return "${" + key + "}"
        return {k: self.resolve(v, depth + 1) for k, v in value.items()}

    def sub(self, arg: Any, depth: int) -> str:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, local = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        elif isinstance(arg, str):
            text, local = arg, {}
        else:
            return "${Fn::Sub}"

        def one(m: re.Match[str]) -> str:
            inner = m.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in local:
                v = self.resolve(local[inner], depth + 1)
                return v if isinstance(v, str) else "${" + inner + "}"
            if "." in inner:
                name, attribute = inner.split(".", 1)
                return self.get_att(name, attribute)
            return self.ref(inner)

        return re.sub(r"\$\{([^}]*)\}", one, text)

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        return name

    def arn(self, name: str) -> str:
        template = _ARNS.get(self.service or "")
        if template is None:
            return "${" + name + ".Arn}"
        return template.format(n=name, r=self.region, a=self.account)

    def get_att(self, name: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(name)
        if attribute in ("Name", "QueueName", "TopicName"):
            return name
        return "${" + name + "." + attribute + "}"

    def document(self, doc: Any) -> Any:
        """A policy document with each statement's intrinsics resolved for its service."""
        if not isinstance(doc, dict) or "Statement" not in doc:
            return self.resolve(doc)
        raw = doc["Statement"]
        out = dict(doc)
        out["Statement"] = [self._statement(s) for s in (raw if isinstance(raw, list) else [raw])]
        return out

    def _statement(self, st: Any) -> Any:
        if not isinstance(st, dict):
            return st
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        services = {a.split(":")[0].lower() for a in actions if isinstance(a, str)}
        self.service = services.pop() if len(services) == 1 else None
        try:
            out = {}
            for key, value in st.items():
                if key in ("Resource", "NotResource"):
                    values = value if isinstance(value, list) else [value]
                    out[key] = [self._resource(v) for v in values]
                else:
                    out[key] = self.resolve(value)
            return out
        finally:
            self.service = None

    def _resource(self, value: Any) -> Any:
        """A whole ``Resource``: ``Ref`` of a topic or state machine gives its ARN; any other
        ``Ref`` there is a parameter that holds an ARN nobody can know: unknown."""
        if isinstance(value, dict) and isinstance(value.get("Ref"), str) \
                and value["Ref"] not in self.pseudo:
            name = value["Ref"]
            if self.service in ("sns", "states") and not name.lower().endswith("arn"):
                return self.arn(name)
            return "${" + name + "}"
        return self.resolve(value)


def substitutions(folder: Path, text: str, resolver: CorpusResolver) -> dict[str, str]:
    """``substitutions.json`` resolved as ``tests/test_corpus.py`` does: names, and a
    ``Fn::GetAtt X.Arn`` used as a whole Task ``Resource`` is a Lambda function's ARN."""
    pseudo = {k: str(resolver.ref(k)) for k in ("AWS::Region", "AWS::AccountId", "AWS::Partition")
              if f"${{{k}}}" in text}
    path = folder / "substitutions.json"
    if not path.is_file():
        return pseudo
    as_resource = set(re.findall(r"Resource[\"']?\s*:\s*[\"']?\$\{(\w+)\}", text))
    out: dict[str, str] = {}
    for decl in json.loads(path.read_text())["declarations"]:
        for name, value in (decl.get("values") or {}).items():
            if name in out:
                continue
            resolver.service = "lambda" if name in as_resource else None
            rendered = resolver.resolve(value)
            if isinstance(rendered, str) and "${" not in rendered:
                out[name] = rendered
    return pseudo | out


def environment(text: str) -> tuple[str, str]:
    """The region and account the definition's own ARNs name most often (the account the
    sample was deployed in), else the defaults: the role's ``${AWS::AccountId}`` is that
    account too."""
    found = Counter(re.findall(r"arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):", text))
    if not found:
        return REGION, ACCOUNT
    (region, account), _ = found.most_common(1)[0]
    return region, account


def role_of(decl: dict[str, Any], resolver: CorpusResolver) -> RolePolicies | None:
    """The role a declaration gives, or None when it does not give one (external role,
    Terraform module inputs, the Serverless plugin's automatic role, no policies)."""
    kind = decl.get("kind")
    role = RolePolicies()
    if kind == "sam-policies":
        role.extend(sam_policies(decl.get("sam_policies"), "Policies", resolver.document))
        tracing = decl.get("Tracing")
        if isinstance(tracing, dict) and tracing.get("Enabled") is True:
            role.not_evaluated.append("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess")
        return role
    if "policy_documents" not in decl:
        return None
    if not decl["policy_documents"] and not decl.get("managed_policy_arns"):
        return None  # the role's policies were not captured (e.g. the CDK's AWS::IAM::Policy)
    for entry in decl["policy_documents"]:
        doc = entry.get("document")
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except ValueError:
                doc = None
        if not isinstance(doc, dict):
            role.not_evaluated.append(f"{entry.get('name')} (not a document)")
            continue
        role.documents.append((str(entry.get("name") or "policy"), resolver.document(doc)))
    for arn in decl.get("managed_policy_arns") or []:
        value = resolver.resolve(arn)
        role.not_evaluated.append(value if isinstance(value, str) else json.dumps(arn))
    return role


def options(decl: dict[str, Any]) -> dict[str, bool]:
    """--logging / --xray as the declaration enables them."""
    logging = decl.get("Logging") or decl.get("LoggingConfiguration") \
        or decl.get("logging_configuration") or decl.get("loggingConfig")
    tracing = decl.get("Tracing") or decl.get("TracingConfiguration") \
        or decl.get("tracing_configuration") or decl.get("tracingConfig")
    xray = isinstance(tracing, dict) and tracing.get("Enabled") in (True, "true")
    return {"logging": bool(logging), "xray": bool(xray)}


class Tally:
    def __init__(self) -> None:
        self.roles = 0
        self.definitions = 0
        self.refused = 0
        self.from_templates = 0
        self.unreadable: list[str] = []
        self.crashes: list[str] = []
        self.missing_roles: list[str] = []
        self.excess_roles: list[str] = []
        self.broader_roles: list[str] = []
        self.map_only: list[str] = []
        self.undecided_roles: list[str] = []
        self.missing_actions: Counter[str] = Counter()
        self.excess_kinds: Counter[str] = Counter()
        self.reports: dict[str, AuditReport] = {}

    def lines(self) -> list[str]:
        top = ", ".join(f"{a} {n}" for a, n in self.missing_actions.most_common(8))
        return [
            f"corpus audit: {self.roles} roles of {self.definitions} sample definitions "
            f"audited ({self.refused} refused by the generator, {len(self.unreadable)} roles "
            f"unreadable; {self.from_templates} read from their real templates), "
            f"{len(self.crashes)} crashes",
            f"  roles missing permissions: {len(self.missing_roles)} ({len(self.map_only)} only "
            f"the Distributed Map's child-execution Describe/Stop/Redrive); with excess: "
            f"{len(self.excess_roles)} ({len(self.broader_roles)} over-broad: a wildcard "
            f"action or resource wider than needed); with undecided needs: "
            f"{len(self.undecided_roles)}",
            f"  most missing actions: {top or 'none'}",
            "  excess by kind: " + ", ".join(f"{k} {n}" for k, n in
                                            sorted(self.excess_kinds.items())),
        ]


def cfn_yaml(text: str) -> Any:
    """CloudFormation YAML with its short-form tags (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub``)
    in long form. For this script only: the project's template readers come separately."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        name = "Ref" if suffix == "Ref" else "Condition" if suffix == "Condition" \
            else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    Loader.add_multi_constructor("!", tag)
    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass: safe


def from_template(mirrors: Path, repo: str, decl: dict[str, Any], region: str,
                  account: str) -> tuple[RolePolicies, dict[str, str]] | None:
    """The role and the substitutions from the real template (``--mirror DIR``: git
    directories ``DIR/<owner>+<name>/repo`` of the source repositories), through
    ``template_role`` and one type-aware resolver; None without them."""
    import subprocess

    from sfn_iam.audit.roles import template_role

    mirror = mirrors / repo.replace("/", "+") / "repo"
    path = decl.get("template", "")
    if not mirror.is_dir():
        return None
    if not path.endswith((".yaml", ".yml", ".json")) or decl.get("kind") not in (
            "sam-policies", "sam-role", "cfn-role", "sam-no-policies"):
        return None
    shown = subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"],
                           capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        return None
    import yaml

    try:
        template = cfn_yaml(shown.stdout)
    except yaml.YAMLError:
        return None  # e.g. "!GetAZs !Ref X", which PyYAML does not read: the declaration then
    # the template readers' own resolver, one stack name on both sides
    resolve = default_resolver(template, path, region=region, account=account, partition="aws",
                               parameters={"AWS::StackName": "stack"})
    role = template_role(template, decl["state_machine"], resolve, path)
    sm = template["Resources"][decl["state_machine"]].get("Properties") or {}
    subs = {}
    for name, value in (sm.get("DefinitionSubstitutions") or {}).items():
        rendered = resolve(value)
        if isinstance(rendered, str) and "${" not in rendered:
            subs[name] = rendered
    # the machine's own ARN (Distributed Map, HTTP Task), passed as --state-machine-arn
    own = resolve({"Ref": decl["state_machine"]})
    if isinstance(own, str) and re.fullmatch(
            r"arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}", own):
        subs["__state_machine_arn__"] = own
    return role, subs


def measure(corpus: Path = CORPUS, mirror: Path | None = None) -> Tally:
    with (corpus / "MANIFEST.tsv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")
                if r["kind"] == "sample" and r["has_permissions"] == "yes"]
    tally = Tally()
    for row in rows:
        folder = corpus / row["id"]
        perms = folder / "permissions.json"
        if not perms.is_file():
            continue
        tally.definitions += 1
        (path,) = sorted(folder.glob("definition.asl.*"))
        text = path.read_text(encoding="utf-8")
        for i, decl in enumerate(json.loads(perms.read_text())["declarations"]):
            label = f"{row['id']}#{i + 1}"
            try:
                region, account = environment(text)
                real = None if mirror is None else from_template(
                    mirror, row["source_repo"], decl, region, account)
                if real is not None:
                    role, subs = real
                    tally.from_templates += 1
                else:
                    found = role_of(decl, CorpusResolver(region, account))
                    if found is None:
                        continue
                    role = found
                    subs = substitutions(folder, text, CorpusResolver(region, account))
                own = subs.pop("__state_machine_arn__", None)
                result = generate_policy(path.read_bytes(), region=region, account=account,
                                         substitutions=subs, state_machine_arn=own,
                                         source=str(path), **options(decl))
                report = audit(result, role.documents, not_evaluated=role.not_evaluated)
            except DefinitionError:
                tally.refused += 1  # the generator's deliberate one-line error
                continue
            except (RoleError, PolicyError) as exc:
                tally.unreadable.append(f"{label}: {exc}")
                continue
            except Exception as exc:  # the point of the measurement: name the role
                tally.crashes.append(f"{label}: {type(exc).__name__}: {exc}")
                continue
            tally.roles += 1
            tally.reports[label] = report
            if report.missing:
                tally.missing_roles.append(label)
                if all(r.startswith("map:") for m in report.missing for r in m.need.rules):
                    tally.map_only.append(label)
                tally.missing_actions.update({m.need.action for m in report.missing})
            if report.excess:
                tally.excess_roles.append(label)
                if any(e.kind != "not-needed" for e in report.excess):
                    tally.broader_roles.append(label)
                tally.excess_kinds.update(e.kind for e in report.excess)
            if report.undecided:
                tally.undecided_roles.append(label)
    return tally


def main(argv: list[str]) -> int:
    corpus = Path(argv[argv.index("--corpus") + 1]) if "--corpus" in argv else CORPUS
    mirror = Path(argv[argv.index("--mirror") + 1]) if "--mirror" in argv else None
    tally = measure(corpus, mirror)
    print("\n".join(tally.lines()))
    for crash in tally.crashes:
        print("  crash:", crash)
    for line in tally.unreadable:
        print("  unreadable:", line)
    if "--details" in argv:
        for label in tally.missing_roles:
            report = tally.reports[label]
            print(f"\n{label}: missing")
            for m in report.missing:
                print(f"  {m.need.action} on {m.need.resource} ({', '.join(m.need.states)})")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
