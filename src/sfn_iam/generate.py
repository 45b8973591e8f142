"""load -> walk -> match integration -> grants with provenance -> merge -> document."""

from __future__ import annotations

import gc
import json
from functools import lru_cache

from sfn_iam import policy
from sfn_iam.arn import Env, parse_arn, partition_for_region
from sfn_iam.catalogue import service_module
from sfn_iam.conditions import make_condition
from sfn_iam.errors import DefinitionError, UsageError
from sfn_iam.findings import Finding
from sfn_iam.load import load_definition, parse_text_after_json
from sfn_iam.model import Grant, GrantKey, RawGrant, _Const, _set, from_raw, raw
from sfn_iam.params import (
    MARKERS,
    PSEUDO_ACCOUNT,
    PSEUDO_REGION,
    pseudo_parameters,
    substitute,
)
from sfn_iam.rules import DOC_BASE, G, Res, Rule
from sfn_iam.task import Task, pattern_key
from sfn_iam.walk import StateRef, iter_states

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_PATTERNS = ("sync:2", "sync", "waitForTaskToken")


class GenerateResult:
    """The policy document, the findings (warnings), and every grant with its provenance.

    ``target_policies``: cross-account Tasks (``Credentials.RoleArn``): target role ARN ->
    the policy that role needs (its own account's business, not the execution role's); ``*``
    collects the Tasks whose role is dynamic. ``size``: the policy's size as IAM counts it
    (no whitespace); limits in sfn_iam.policy. ``unjudged``: the IAM service prefixes of the
    Tasks nothing was granted for because sfn-iam does not know the integration
    (``unknown-integration``) or could not read the Resource (a placeholder left), sorted;
    ``*`` for an unknown ``arn:aws:states:::`` integration: an audit cannot judge a role's
    permissions for those services."""

    _fields = ("document", "warnings", "grants", "task_states", "recognised", "activities",
               "states", "target_policies", "target_grants", "size", "unjudged")

    __slots__ = ("_grants", "_raw", "_target_grants", "activities", "document", "recognised",
                 "size", "states", "target_policies", "task_states", "unjudged", "warnings")

    def __init__(self, document: dict[str, Any], warnings: list[Finding], grants: list[Grant],
                 task_states: int = 0, recognised: int = 0, activities: int = 0,
                 states: int = 0, target_policies: dict[str, dict[str, Any]] | None = None,
                 target_grants: dict[str, list[Grant]] | None = None, size: int = 0,
                 unjudged: list[str] | None = None) -> None:
        self.document = document
        self.unjudged: list[str] = [] if unjudged is None else unjudged
        self.warnings = warnings
        self._grants: list[Grant] | None = grants
        self.task_states = task_states
        self.recognised = recognised
        self.activities = activities
        self.states = states
        self.target_policies: dict[str, dict[str, Any]] = (
            {} if target_policies is None else target_policies)
        self._target_grants: dict[str, list[Grant]] | None = (
            {} if target_grants is None else target_grants)
        self.size = size
        #: the grants as the generator collected them, made into Grant objects on first use
        #: (most callers want only the document)
        self._raw: tuple[list[RawGrant], dict[str, list[RawGrant]]] | None = None

    @property
    def grants(self) -> list[Grant]:
        """Every grant of the execution role, with its provenance, in the order made."""
        if self._raw is not None:
            self._materialize()
        return self._grants  # type: ignore[return-value]

    @property
    def target_grants(self) -> dict[str, list[Grant]]:
        """Target role ARN -> the grants of its cross-account Tasks."""
        if self._raw is not None:
            self._materialize()
        return self._target_grants  # type: ignore[return-value]

    def _materialize(self) -> None:
        grants, targets = self._raw  # type: ignore[misc]
        self._grants = [from_raw(r) for r in grants]
        self._target_grants = {key: [from_raw(r) for r in rs] for key, rs in targets.items()}
        self._raw = None

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"GenerateResult({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not GenerateResult:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    @property
    def deny_all(self) -> bool:
        return self.document == policy.DENY_ALL


class _Target(_Const):
    """What a Task Resource calls: ``kind`` is "integration" | "lambda-arn" | "activity" |
    "unknown"."""

    __slots__ = ("api", "kind", "partition", "pattern", "service", "why")
    _fields = ("kind", "partition", "service", "api", "pattern", "why")

    kind: str
    partition: str
    service: str
    api: str
    pattern: str
    why: str

    def __init__(self, kind: str, partition: str = "aws", service: str = "", api: str = "",
                 pattern: str = "", why: str = "") -> None:
        _set(self, "kind", kind)
        _set(self, "partition", partition)
        _set(self, "service", service)
        _set(self, "api", api)
        _set(self, "pattern", pattern)
        _set(self, "why", why)


@lru_cache(maxsize=4096)
def classify(resource: str) -> _Target:
    """What a Task ``Resource`` calls (cached: definitions repeat a few Resources)."""
    arn = parse_arn(resource)
    if arn is None:
        return _Target("unknown", why=f"{resource!r} is not an ARN")
    if arn.service == "states" and ((not arn.region and not arn.account)
                                    or arn.resource.startswith("aws-sdk:")):
        # (an SDK integration written with a region and account still calls the SDK: a
        # corpus sample deploys one so)
        service, _, rest = arn.resource.partition(":")
        if service == "aws-sdk":
            svc, _, rest = rest.partition(":")
            service = f"aws-sdk:{svc}"
        api, pattern = rest, ""
        for suffix in _PATTERNS:
            if rest.endswith("." + suffix):
                api, pattern = rest[: -len(suffix) - 1], suffix
                break
        if not service or not api:
            return _Target("unknown", why=f"{resource!r} names no service API")
        return _Target("integration", arn.partition, service, api, pattern)
    if arn.service == "states" and arn.resource.startswith("activity:"):
        return _Target("activity", arn.partition)
    if arn.service == "lambda" and arn.resource.startswith("function:"):
        return _Target("lambda-arn", arn.partition, "lambda", "function-arn")
    return _Target("unknown", arn.partition, why=f"{resource!r} is not a Step Functions integration")


class _Plan:
    """How one integration Resource is authorised, worked out once per Resource: the rule,
    the pattern, and per grant of the rule that applies to the pattern ``(resolver, key,
    grant)`` with ``key`` the merge key ``(effect, condition, actions)`` when the condition
    is static (None: the grant's condition is worked out per Task)."""

    __slots__ = ("doc", "grants", "integration", "partition", "pattern", "rule", "rule_id")

    def __init__(self, target: _Target, rule: Rule, pattern: str) -> None:
        key = "sync" if pattern.startswith("sync") else pattern  # pattern_key()
        self.rule = rule
        self.pattern = pattern
        self.partition = target.partition
        self.integration = f"{target.service}:{target.api}"
        self.rule_id = f"{self.integration}.{pattern}" if pattern else self.integration
        self.doc = rule.doc if rule.doc.startswith("http") else DOC_BASE + rule.doc
        self.grants: tuple[tuple[Callable[[Task], list[Res]], GrantKey | None, G], ...] = tuple(
            (gr.on, None if callable(gr.condition) else
             ("Allow", make_condition(gr.condition) if gr.condition else (), gr.actions), gr)
            for gr in rule.grants if key in gr.when
        )


#: What a Task Resource calls: ``(plan, note, activity)`` with ``plan`` None when nothing is
#: granted for it, ``note`` the ``(code, message)`` of the finding every Task with this
#: Resource gets (an unknown integration, an unsupported pattern), ``activity`` True for an
#: Activity ARN.
_Verdict = tuple["_Plan | None", "tuple[str, str] | None", bool]

#: Task Resource -> its verdict, worked out once: it depends only on the Resource text and
#: the catalogue, so every run shares it.
_VERDICTS: dict[str, _Verdict] = {}
_MAX_VERDICTS = 4096


def _verdict(resource: str) -> _Verdict:
    target = classify(resource)
    out: _Verdict
    if target.kind == "activity":
        out = (None, None, True)
    elif target.kind == "unknown":
        out = (None, ("unknown-integration",
                      f"{target.why}; no permission granted for this state"), False)
    else:
        rule, note = _rule(resource, target)
        if rule is None:
            out = (None, note, False)
        elif _supported(target.pattern, rule):
            out = (_Plan(target, rule, target.pattern), note, False)
        else:
            # An unsupported pattern is warned about and authorised like request-response
            # (some templates and integration pages disagree, e.g. SageMaker callback);
            # ``.sync:2`` only where a rule opts in.
            shown = "request-response" if not target.pattern else f".{target.pattern}"
            out = (_Plan(target, rule, ""), (
                "unsupported-pattern",
                f"the AWS documentation says {target.service}:{target.api} does not support "
                f"{shown}; granted the request-response permissions only"), False)
    if len(_VERDICTS) < _MAX_VERDICTS:
        _VERDICTS[resource] = out
    return out


def _rule(resource: str, target: _Target) -> tuple[Rule | None, tuple[str, str] | None]:
    """The catalogue rule for the integration, or None and the finding that says so."""
    if target.service.startswith("aws-sdk:"):
        # the SDK table (sfn_iam.catalogue.aws_sdk): one data file per service, read lazily
        from sfn_iam.catalogue.aws_sdk import lookup

        return lookup(target.service.split(":", 1)[1], target.api)
    module = service_module(target.service)
    rules: dict[str, Rule] = getattr(module, "RULES", {}) if module else {}
    rule = rules.get(target.api)
    if rule is not None:
        return rule, None
    return None, ("unknown-integration",
                  f"{resource!r}: {target.service}:{target.api} is not an integration sfn-iam "
                  f"knows; no permission granted for this state")


_TASK_OR_MAP = frozenset({"Task", "Map"})


class _Run:
    """The grants, target-role grants, findings and counts of one generation."""

    __slots__ = ("activities", "env", "findings", "grants", "recognised", "states", "targets",
                 "tasks", "unjudged")

    def __init__(self, env: Env) -> None:
        self.env = env
        #: the services of the Tasks nothing was granted for (GenerateResult.unjudged)
        self.unjudged: set[str] = set()
        self.grants: list[RawGrant] = []
        self.targets: dict[str, list[RawGrant]] = {}
        self.findings: list[Finding] = []
        self.tasks = self.recognised = self.activities = self.states = 0

    def walk(self, parsed: Any) -> None:
        """Every state of the definition: a Task's grants, a Map's child executions, reader
        and writer."""
        tally = [0]
        task, env, grants = self.task, self.env, self.grants
        for ref in iter_states(parsed, only=_TASK_OR_MAP, tally=tally):
            kind = ref.type
            if kind == "Task":
                self.tasks += 1
                if "Credentials" in ref.body:
                    self.cross_account(ref)
                else:
                    task(ref, env, grants)
            elif kind == "Map":
                from sfn_iam import distributed_map  # imported only for Map states

                grants += map(raw, distributed_map.child_grants(ref, env))
                for pseudo in distributed_map.reader_writer(ref):
                    task(pseudo, env, grants)
        self.states += tally[0]

    def cross_account(self, ref: StateRef) -> None:
        """A Task with ``Credentials`` runs as another role: its grants belong to that role
        (names are completed in that role's account: the call is made there), and the
        execution role needs only ``sts:AssumeRole`` on it."""
        from sfn_iam import cross_account  # imported only for cross-account Tasks

        key, assume = cross_account.assume(ref, self.env, self.findings)
        self.grants += map(raw, assume)
        # Names are completed in the target role's account; with a dynamic role that account
        # is unknown, so "*" (without an unknown-account warning: it is the role's, not ours).
        account = "*" if key == cross_account.DYNAMIC_KEY else key.split(":")[4]
        self.task(ref, self.env.replace(account=account), self.targets.setdefault(key, []))

    def task(self, ref: StateRef, env: Env, out: list[RawGrant]) -> None:
        """Add the grants of one Task (or a Map's ItemReader / ResultWriter) to ``out``."""
        resource: str | None = ref.body["Resource"]
        if "${" in resource:  # type: ignore[operator]  # a placeholder to substitute
            resource = self._resource(ref, env)
            if resource is None:
                return
        verdict = _VERDICTS.get(resource)  # type: ignore[arg-type]
        if verdict is None:
            verdict = _verdict(resource)  # type: ignore[arg-type]
        plan, note, activity = verdict
        if note is not None:
            self.findings.append(Finding(note[0], note[1], ref.path, "Resource"))
            if note[0] == "unknown-integration":
                service = _service_of(resource)  # type: ignore[arg-type]
                if service is not None:
                    self.unjudged.add(service)
        if activity:
            self.activities += 1
            self.recognised += 1
        if plan is None:
            return
        if ref.type == "Task":
            self.recognised += 1
        t = Task(ref, plan.integration, plan.pattern, env, plan.partition,
                 resource, self.findings)  # type: ignore[arg-type]
        self.apply(plan, t, out)

    def _note(self, ref: StateRef, code: str, message: str) -> None:
        self.findings.append(Finding(code, message, ref.path, "Resource"))

    def _resource(self, ref: StateRef, env: Env) -> str | None:
        """The Resource with ``${Name}`` substituted; None (and a finding) when one is left."""
        raw_resource: str = ref.body["Resource"]
        resource, missing = substitute(raw_resource, env.substitutions)
        if not missing:
            return resource
        slot = "arn:${" + missing[0] + "}:"
        after = resource[len(slot):]
        if (len(missing) == 1 and resource.startswith(slot) and after.startswith("states:")
                and "${" not in after):
            # arn:${Partition}:states:::sns:publish (a DefinitionSubstitutions name for
            # ${AWS::Partition}): a Step Functions Resource can only be in the partition of
            # the state machine that calls it, so that is the value, whatever the name
            partition = env.partition or partition_for_region(env.region) or "aws"
            self._note(ref, "partition-placeholder",
                       f"Resource {raw_resource!r}: ${{{missing[0]}}} has no value; it is the "
                       "partition of a Step Functions integration, which can only be the state "
                       f"machine's own: read as {partition} (--partition, --region, or "
                       f"--substitute {missing[0]}=VALUE say otherwise)")
            return f"arn:{partition}:{after}"
        names = ", ".join(f"${{{n}}}" for n in missing)
        sdk = _sdk_service(resource)
        # a Task Resource left as ${Name}: most often a Lambda function's ARN
        self.unjudged.update([sdk] if sdk else ["lambda", "states"])
        self._note(ref, "unresolved-placeholder",
                   f"Resource {raw_resource!r} has {names} without a value; pass --substitute "
                   "NAME=VALUE (no permission granted for this state)")
        return None

    def apply(self, plan: _Plan, t: Task, out: list[RawGrant]) -> None:
        """Resolve the plan's grants for the Task ``t``; add them to ``out`` in rule order.
        The findings come in the order: the resolvers', the hook's, then one per dynamic
        resource."""
        path = t.ref.path
        rule_id, doc = plan.rule_id, plan.doc
        dynamic: list[tuple[G, Res]] | None = None  # their findings come last
        for on, static_key, gr in plan.grants:
            resources = on(t)
            if not resources:
                continue
            key = static_key
            if key is None:
                spec = gr.condition(t)  # type: ignore[operator,misc]  # callable when key is None
                key = ("Allow", make_condition(spec) if spec else (), gr.actions)
            if len(resources) == 1:
                res = resources[0]
                if not res.dynamic:  # the common case
                    out.append((key, (res.arn,), False, path, rule_id, res.where, doc, gr.note,
                                res.template_only))
                    continue
            dynamic = _many(path, rule_id, doc, gr, key, resources, out, dynamic)
        hook = plan.rule.hook
        if hook is not None:
            for gr, resources in hook(t):
                if resources:
                    spec = gr.condition(t) if callable(gr.condition) else gr.condition
                    key = ("Allow", make_condition(spec) if spec else (), gr.actions)
                    dynamic = _many(path, rule_id, doc, gr, key, resources, out, dynamic)
        if dynamic:
            for gr, res in dynamic:
                t.finding(
                    "dynamic-resource",
                    f"{res.reason or 'a dynamic value'} ({res.expr}) is known only at run "
                    f"time: {', '.join(gr.actions)} granted on {res.arn}",
                    res.where,
                )
        unresolved = t.unresolved
        if unresolved:
            for where, name in unresolved:
                t.finding("unresolved-placeholder",
                          f"${{{name}}} has no value (pass --substitute {name}=VALUE); treated "
                          "as dynamic", where)


def _many(path: tuple[str, ...], rule_id: str, doc: str, gr: G, key: GrantKey,
          resources: list[Res], out: list[RawGrant],
          dynamic: list[tuple[G, Res]] | None) -> list[tuple[G, Res]] | None:
    """The grants of several resources, or of dynamic ones: one grant per parameter
    (``where``), the dynamic ones apart. Returns ``dynamic`` with this grant's dynamic
    resources added (each gets a finding)."""
    if len(resources) == 1:
        res = resources[0]
        out.append((key, (res.arn,), res.dynamic, path, rule_id, res.where, doc, gr.note,
                    res.template_only))
        if not res.dynamic:
            return dynamic
        if dynamic is None:
            return [(gr, res)]
        dynamic.append((gr, res))
        return dynamic
    by_where: dict[tuple[str | None, bool, bool], list[str]] = {}
    for res in resources:
        by_where.setdefault((res.where, res.dynamic, res.template_only), []).append(res.arn)
        if res.dynamic:
            if dynamic is None:
                dynamic = []
            dynamic.append((gr, res))
    for (where, is_dynamic, only), arns in by_where.items():
        out.append((key, tuple(dict.fromkeys(arns)), is_dynamic, path, rule_id, where, doc,
                    gr.note, only))
    return dynamic


def _supported(pattern: str, rule: Rule) -> bool:
    return pattern_key(pattern) in rule.patterns and (pattern != "sync:2" or pattern in rule.patterns)


def generate_policy(
    # "| Any": the input is checked here (DefinitionError), not by the compiled signature
    definition: str | bytes | dict[str, Any] | Any,
    *,
    region: str | None = None,
    account: str | None = None,
    partition: str | None = None,
    xray: bool = False,
    substitutions: dict[str, str] | None = None,
    source: str | None = None,
    state_machine_arn: str | None = None,
    logging: bool = False,
    kms_key: str | None = None,
    qualifier_condition: bool = False,
    as_templates: bool = False,
) -> GenerateResult:
    """Generate the least-privilege execution-role policy for a state machine definition.

    ``definition`` is ASL text (JSON or YAML), bytes, or the parsed dict. Raises
    :class:`sfn_iam.DefinitionError` when it is not a usable definition, and
    :class:`sfn_iam.errors.UsageError` for a malformed option.

    ``state_machine_arn`` is the machine's own ARN (Distributed Map, the HTTP Task and KMS
    grant on it); ``logging`` and ``kms_key`` add the permissions of those settings;
    ``qualifier_condition`` scopes StartExecution of a version or alias with
    ``states:StateMachineQualifier``. ``as_templates`` grants the form of the AWS templates
    where sfn-iam scopes a grant tighter than they do (the Service Authorization Reference
    allows it), e.g. ``batch:SubmitJob`` on ``*``.
    """
    _check_env(region, account, partition)
    if state_machine_arn is not None:
        region, account, partition = _from_state_machine_arn(
            state_machine_arn, region, account, partition)
    # ${AWS::Partition}, ${AWS::Region}, ... are filled like --substitute values (which win)
    try:
        markers = MARKERS[0] if region and account else _free_markers(definition)
    except DefinitionError as exc:
        raise exc.with_source(source) if source else exc from None
    subs = pseudo_parameters(region, account, partition or partition_for_region(region) or "aws",
                             markers)
    if substitutions:
        subs.update(substitutions)
    env = Env(region, account, partition, subs,
              state_machine_arn=state_machine_arn, qualifier_condition=qualifier_condition,
              as_templates=as_templates)
    run = _Run(env)
    try:
        _walk(run, definition if definition.__class__ is dict else _parse(definition, source))
    except DefinitionError as exc:
        if source and not exc.source:
            raise exc.with_source(source) from None
        raise
    marks = [(marker, what) for name, marker, what in (
        (PSEUDO_REGION, markers[0], "region"), (PSEUDO_ACCOUNT, markers[1], "account"))
        if subs.get(name) == marker]
    if marks and _marked(run, marks):
        _unmark(run, marks)
    setting_findings: list[Finding] = []
    if xray or logging or kms_key:
        from sfn_iam.settings import Settings, settings_grants

        more, setting_findings = settings_grants(Settings(xray, logging, kms_key), env)
        run.grants += map(raw, more)
    findings = run.findings + setting_findings
    if len(findings) > 1:
        findings = _dedupe(findings)
    if env.used_unknown:
        findings[:0] = _env_findings(env)
    statements = policy.merge_raw(run.grants) if run.grants else []
    if statements:
        doc = policy.document(statements)
    elif run.tasks == run.recognised and not findings:
        # activities-iam.md: only Activity tasks, or no tasks -> deny everything. The same holds
        # when every Task is known and needs no permission (e.g. API Gateway with NO_AUTH);
        # not when a Task is broken or unknown (then an empty list and a finding).
        doc = dict(policy.DENY_ALL)
    else:
        findings.append(Finding(
            "no-permissions",
            "no Allow statement could be produced for the Task states; see the warnings above",
        ))
        doc = policy.document([])
    size = policy.policy_size(doc) if statements else _FIXED_SIZES[doc == policy.DENY_ALL]
    if size > policy.INLINE_LIMIT:
        findings.append(Finding(
            "policy-too-large",
            f"the policy is {size:,} characters: over IAM's limit of {policy.INLINE_LIMIT:,} for a "
            f"role's inline policies (and {policy.MANAGED_LIMIT:,} for a managed policy); write it "
            "as several managed policies with --split DIR"))
    targets = {key: policy.document(policy.merge_raw(grants))
               for key, grants in sorted(run.targets.items())} if run.targets else {}
    result = GenerateResult(doc, findings, [], run.tasks, run.recognised, run.activities,
                            run.states, targets, {}, size,
                            sorted(run.unjudged) if run.unjudged else None)
    result._raw = (run.grants, run.targets)
    return result


def _sdk_service(resource: str) -> str | None:
    """The IAM service prefix of an ``aws-sdk:`` Resource (``...:::aws-sdk:sfn:...`` ->
    ``states``), or None for any other Resource."""
    start = resource.find(":::aws-sdk:")
    if start < 0:
        return None
    name = resource[start + 11:].split(":", 1)[0]
    if not name:
        return None
    from sfn_iam.sdk_names import PREFIX  # only for a Task whose service is set aside

    return PREFIX.get(name, name)


def _service_of(resource: str) -> str | None:
    """The IAM service prefix of an unknown integration's Resource: ``*`` for an unknown
    ``arn:aws:states:::`` integration (its service cannot be told), None for a Resource that
    is not an ARN (no service at all: the state cannot run)."""
    sdk = _sdk_service(resource)
    if sdk:
        return sdk
    arn = parse_arn(resource)
    if arn is None:
        return None
    return arn.service if arn.service != "states" else "*"


def _walk(run: _Run, parsed: Any) -> None:
    """``run.walk(parsed)`` with the cyclic garbage collector paused (when it was running).

    The walk makes several small objects for every Task (the Task, its values, resources,
    grants, findings) and no reference cycles: reference counting frees all of them, and a
    collection would only traverse what is alive. Those collections grow with the size of
    the heap, the parsed definition included, so a large definition paid more per state
    than a small one (benchmark (b)). A cycle made all the same (none is known) is still
    collected, at the first collection after the walk. The parse is not covered: it runs
    as json.loads runs for everyone (the benchmarks' yardstick)."""
    collect = gc.isenabled()
    if collect:
        gc.disable()
    try:
        run.walk(parsed)
    finally:
        if collect:
            gc.enable()


def _parse(definition: Any, source: str | None) -> Any:
    """The parsed definition: strict JSON text (nearly every definition) read here at once,
    anything else as :func:`sfn_iam.load.load_definition` reads it (lenient JSON, YAML,
    bytes, and the errors)."""
    if definition.__class__ is str and (source is None or not source.lower().endswith(
            (".yaml", ".yml"))):
        try:
            return json.loads(definition)
        except json.JSONDecodeError:
            # the rest of what load_definition does, without parsing the text again
            return parse_text_after_json(definition, source or "<definition>")
        except (ValueError, RecursionError):
            pass  # load_definition says what is wrong, or reads it without recursion
    return load_definition(definition, source)


#: the size of the two documents without Allow statements: the empty one, and deny-all
_FIXED_SIZES = (policy.policy_size(policy.document([])), policy.policy_size(policy.DENY_ALL))

#: (region, account, partition) triples already found valid
_CHECKED: set[tuple[str | None, str | None, str | None]] = set()


def _check_env(region: str | None, account: str | None, partition: str | None) -> None:
    if (region, account, partition) in _CHECKED:
        return
    _check_env_now(region, account, partition)
    if len(_CHECKED) < 256:
        _CHECKED.add((region, account, partition))


def _check_env_now(region: str | None, account: str | None, partition: str | None) -> None:
    import re

    if region is not None and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region):
        raise UsageError(f"--region {region!r} is not an AWS region name such as us-east-1")
    if account is not None and not re.fullmatch(r"\d{12}", account):
        raise UsageError(f"--account {account!r} is not a 12-digit AWS account ID")
    if partition is not None and not re.fullmatch(r"aws(-[a-z]+)*", partition):
        raise UsageError(f"--partition {partition!r} is not an AWS partition such as aws, aws-cn")


def _from_state_machine_arn(
    arn: str, region: str | None, account: str | None, partition: str | None
) -> tuple[str | None, str | None, str | None]:
    """Check ``--state-machine-arn``; it also supplies the region, account and partition
    when those are not given (and must agree with them when they are)."""
    import re

    m = re.fullmatch(r"arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})",
                     arn)
    if not m:
        raise UsageError(f"--state-machine-arn {arn!r} is not a state machine ARN such as "
                         "arn:aws:states:us-east-1:123456789012:stateMachine:MyMachine "
                         "(unqualified: no version or alias)")
    for given, own, what in ((region, m.group(2), "region"), (account, m.group(3), "account"),
                             (partition, m.group(1), "partition")):
        if given is not None and given != own:
            raise UsageError(f"--state-machine-arn is in {what} {own}, but --{what} is {given}")
    return region or m.group(2), account or m.group(3), partition or m.group(1)


def _env_findings(env: Env) -> list[Finding]:
    out = []
    if "state-machine" in env.used_unknown:
        out.append(Finding("unknown-state-machine",
                           "the state machine's own ARN is unknown: granted on every state machine "
                           "of the account (stateMachine:*; pass --state-machine-arn)"))
    if "region" in env.used_unknown:
        out.append(Finding("unknown-region",
                           "the region is unknown: ARNs built from names use '*' for it (pass --region)"))
    if "account" in env.used_unknown:
        out.append(Finding("unknown-account",
                           "the account is unknown: ARNs built from names use '*' for it (pass --account)"))
    return out


def _free_markers(definition: Any) -> tuple[str, str]:
    """The first marker pair (params.MARKERS) the definition does not contain: text written
    in it is never taken for a marker (and made a wildcard). A dict is read as JSON text
    for this (only when the region or account is unknown)."""
    if definition.__class__ is bytes:
        data: bytes = definition
        for pair in MARKERS:  # the first one is nearly always free: two scans
            if pair[0].encode() not in data and pair[1].encode() not in data:
                return pair
    else:
        text = definition if definition.__class__ is str else _suspects(definition)
        for pair in MARKERS:
            if pair[0] not in text and pair[1] not in text:
                return pair
    raise DefinitionError("the definition contains every value sfn-iam reserves for an "
                          "unknown ${AWS::Region} / ${AWS::AccountId}; pass --region and "
                          "--account")


def _suspects(node: Any) -> str:
    """The strings (keys and values) of a parsed definition that could hold a marker, joined:
    every object is read once (a dict that shares branches or contains itself is the walk's
    to refuse, and costs nothing more here)."""
    seen: set[int] = set()
    stack = [node]
    out: list[str] = []
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is str:
            if "sfniam" in item or "999999999" in item:
                out.append(item)
        elif cls is dict or cls is list or isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
    return "\n".join(out)


def _marked(run: _Run, marks: list[tuple[str, str]]) -> bool:
    """Did a marker reach a grant, a target role or a finding? (one pass over the text)"""
    parts = [r for g in run.grants for r in g[1]]
    parts += [repr(g[0][1]) for g in run.grants if g[0][1]]
    for key, rs in run.targets.items():
        parts.append(key)
        parts += [r for g in rs for r in g[1]]
        parts += [repr(g[0][1]) for g in rs if g[0][1]]
    parts += [f.message for f in run.findings]
    blob = "\n".join(parts)
    return any(marker in blob for marker, _ in marks)


def _unmark(run: _Run, marks: list[tuple[str, str]]) -> None:
    """An unknown ``${AWS::Region}`` / ``${AWS::AccountId}`` was read as its marker (a value
    every format check accepts): in the grants and findings it becomes ``*``, and the
    unknown-region / unknown-account warning says so, as for an ARN built from a name."""
    used = run.env.used_unknown

    def fix(text: str) -> str:
        for marker, what in marks:
            if marker in text:
                text = text.replace(marker, "*")
                used.add(what)
        return text

    def fix_grant(r: RawGrant) -> RawGrant:
        text = repr((r[0][1], r[1]))
        if not any(marker in text for marker, _ in marks):
            return r
        (effect, cond, actions), resources, dyn, path, rule, parameter, doc, note, only = r
        cond = tuple((op, tuple((key, tuple(fix(v) for v in vals)) for key, vals in keys))
                     for op, keys in cond)
        return ((effect, cond, actions), tuple(fix(x) for x in resources), dyn, path, rule,
                parameter, doc, note, only)

    run.grants = [fix_grant(r) for r in run.grants]
    run.targets = {fix(key): [fix_grant(r) for r in rs] for key, rs in run.targets.items()}
    run.findings = [Finding(f.code, fix(f.message), f.state_path, f.parameter)
                    if any(marker in f.message for marker, _ in marks) else f
                    for f in run.findings]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
