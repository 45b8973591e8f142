"""``sfn-iam generate TEMPLATE --format cfn|sam|terraform`` end to end (issue 13, point 1):
the role refers to the input template's own resources (``!GetAtt``, ``!Ref``,
``aws_lambda_function.x.arn``) instead of their resolved names, and

* CloudFormation / SAM: the role inserted into the input template the way a user would (the
  role resource added, the machine's role pointing at it; for SAM, the ``Policies`` list)
  passes cfn-lint with no error, in particular no E3004 circular dependency;
* the policy that template deploys (its intrinsic functions evaluated with the values the
  template's resources resolve to) is ``--format json``'s policy;
* Terraform: the output parses with python-hcl2, names only blocks of the input's module or
  its own, and its policy document evaluates to ``--format json``'s policy.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from sfn_iam.cli import main
from sfn_iam.policy import MANAGED_LIMIT, split
from sfn_iam.render import to_cloudformation, to_terraform
from sfn_iam.render.references import references
from sfn_iam.sources import generate_state_machine, load_state_machines
from tests.render.evaluate import cfn, normal, terraform_policy
from tests.render.test_cloudformation import lint
from tests.render.test_terraform import declared, referenced

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "templates"
REGION, ACCOUNT = "us-east-1", "123456789012"
ENV = ("--region", REGION, "--account", ACCOUNT)
#: the pseudo parameters as the reader resolves them (the stack name, known at deploy time,
#: is a wildcard in the JSON policy)
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
          "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "*"}
DATA = {"data.aws_partition.state_machine.partition": "aws",
        "data.aws_region.state_machine.name": REGION,
        "data.aws_caller_identity.state_machine.account_id": ACCOUNT}

#: (input, --state-machine or None): Lambda, SQS, SNS, DynamoDB, ECS, Batch, Athena, Glue,
#: nested machines, a CDK nested stack, JSON and YAML
CFN_INPUTS = [
    ("examples/sam-app", None),
    ("examples/cdk.out", None),
    ("tests/fixtures/templates/sam/saga-pattern-sam/template.yaml", None),
    ("tests/fixtures/templates/sam/workflow-within-a-workflow/template.yaml",
     "NestingPatternMainStateMachine"),
    ("tests/fixtures/templates/sam/text-processing-sqs-express/template.yaml", None),
    ("tests/fixtures/templates/sam/sfn-sns-task-timer/template.yaml", "TimeBoundedTasks"),
    ("tests/fixtures/templates/sam/batch-lambda-sam/template.yaml", None),
    ("tests/fixtures/templates/sam/dynamodb-transfer/template.yaml", None),
    ("tests/fixtures/templates/cloudformation/etl-orchestrator.yaml",
     "AthenaRunnerTestETLOrchestrator"),
    ("tests/fixtures/templates/cloudformation/workshop-module-5.yml", None),
    ("tests/fixtures/templates/cloudformation/deequ-pipeline.yaml", None),
    ("tests/fixtures/templates/cloudformation/montecarlo-lambda.yml",
     "DataGenerationStateMachine"),
    ("tests/fixtures/templates/sam/checkout-processing-workflow/template.yaml", None),
    ("tests/fixtures/templates/cdk/aws-stepfunctions-tasks-sns-publish-integ.template.json", None),
    ("tests/fixtures/templates/cdk/aws-stepfunctions-tasks-sqs-send-message-integ.template.json",
     None),
    ("tests/fixtures/templates/cdk/integ-sfn-start-execution.template.json", "Parent8B210403"),
]
TF_INPUTS = [
    ("examples/terraform", None),
    ("tests/fixtures/templates/terraform/lambda-sfn-terraform", None),
    ("tests/fixtures/templates/terraform/sfn-sns-tf", None),
    ("tests/fixtures/templates/terraform/sfn-glue-terraform", None),
    ("tests/fixtures/templates/terraform/sfn-tasktoken-lambda", None),
    ("tests/fixtures/templates/terraform/step-function-lambda-terraform", None),
    ("tests/fixtures/templates/terraform/sfn-emrserverless-terraform", None),
]


def _ids(case: tuple[str, str | None]) -> str:
    path = Path(case[0])
    return (path.parent.name if path.name == "template.yaml" else path.name) + (
        f"-{case[1]}" if case[1] else "")


def role_id(role: dict[str, Any]) -> str:
    """The logical id of the output's AWS::IAM::Role."""
    (name,) = [k for k, v in role["Resources"].items() if v["Type"] == "AWS::IAM::Role"]
    return name  # type: ignore[no-any-return]


def tf_label(parsed: dict[str, Any]) -> str:
    """The label of the output's aws_iam_role (every block of the output carries it)."""
    (label,) = [n.strip('"') for b in parsed["resource"] for t, named in b.items()
                if t.strip('"') == "aws_iam_role" for n in named]
    return label  # type: ignore[no-any-return]


def data_values(label: str) -> dict[str, str]:
    return {k.replace(".state_machine.", f".{label}."): v for k, v in DATA.items()}


def generate(capsys: pytest.CaptureFixture[str], path: str | Path, fmt: str,
             machine: str | None = None) -> tuple[str, str]:
    """``sfn-iam generate PATH --format FMT`` (exit 0 required): stdout and stderr."""
    extra = ["--state-machine", machine] if machine else []
    code = main(["generate", str(path), *ENV, "--format", fmt, *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return out, err


def machine_of(path: str | Path, name: str | None) -> Any:
    machines = load_state_machines(str(path), region=REGION, account=ACCOUNT)
    (machine,) = [m for m in machines if name is None or name in (m.name, *m.aliases)]
    return machine


def read_template(file: str | Path) -> dict[str, Any]:
    """A CloudFormation template with short-form tags, as cfn-lint reads it."""
    from cfnlint.decode import decode

    template, matches = decode(str(file))
    assert not matches and template is not None
    return json.loads(json.dumps(template, default=str))  # Version: 2012-10-17 is a date


def values(machine: Any, template: dict[str, Any]) -> dict[str, str]:
    """What each Ref / Fn::GetAtt of the template resolves to (from the reader's origins,
    one value per expression), the parameters' defaults and the pseudo parameters."""
    out = dict(PSEUDO)
    for name, param in (template.get("Parameters") or {}).items():
        if "Default" in param:
            out[name] = str(param["Default"])
    for value, expr in machine.origins.items():
        if isinstance(expr, dict) and len(expr) == 1:
            (fn, arg), = expr.items()
            key = arg if fn == "Ref" else ".".join(arg) if fn == "Fn::GetAtt" else None
            if isinstance(key, str) and not key.startswith("AWS::"):
                assert out.setdefault(key, value) == value, (key, value, out[key])
    return out


def insert_role(template: dict[str, Any], machine_id: str, role: dict[str, Any],
                fmt: str) -> dict[str, Any]:
    """The input template with the generated role in it, as a user deploys it: ``cfn`` adds
    the role resources and points the machine's role at it; ``sam`` puts the ``Policies``
    list (and managed policies) on the ``AWS::Serverless::StateMachine``."""
    combined = copy.deepcopy(template)
    resources = combined["Resources"]
    props = resources[machine_id].setdefault("Properties", {})
    if fmt == "sam":
        props.pop("Role", None)
        props["Policies"] = role["Policies"]
        resources.update(role.get("Resources", {}))
        return combined
    clash = set(resources) & set(role["Resources"])
    assert not clash, f"the role's logical ids are taken in the input: {clash}"
    resources.update(role["Resources"])
    arn = {"Fn::GetAtt": [role_id(role), "Arn"]}
    if resources[machine_id]["Type"] == "AWS::Serverless::StateMachine":
        props.pop("Policies", None)
        props["Role"] = arn
    else:
        props["RoleArn"] = arn
    return combined


def errors(template: dict[str, Any]) -> list[str]:
    """cfn-lint's errors (E...) on a template, and any circular dependency between its
    resources: cfn-lint's E3004 does not see through ``AWS::Serverless::StateMachine``
    (its SAM transform leaves that type), so the test looks itself."""
    found = [m for m in lint(json.dumps(template)) if re.search(r"\[E\d{4}\]|^E\d{4}", m)]
    return found + [f"circular: {' -> '.join(c)}" for c in circular(template)]


def circular(template: dict[str, Any]) -> list[list[str]]:
    """The circular dependencies between a template's resources (Ref, Fn::GetAtt, Fn::Sub,
    DependsOn), each as the path that closes it."""
    resources = template["Resources"]

    def names(node: Any) -> set[str]:
        found: set[str] = set()
        if isinstance(node, list):
            for x in node:
                found |= names(x)
        elif isinstance(node, dict):
            for key, arg in node.items():
                if key == "Ref":
                    found.add(arg)
                elif key == "Fn::GetAtt":
                    found.add(arg[0] if isinstance(arg, list) else arg.split(".")[0])
                elif key == "Fn::Sub":
                    text = arg if isinstance(arg, str) else arg[0]
                    found |= set(re.findall(r"\$\{([A-Za-z0-9]+)[.}]", text))
                elif key == "DependsOn":
                    found |= set(arg if isinstance(arg, list) else [arg])
                found |= names(arg)
        return found & set(resources)

    graph = {k: names(v) for k, v in resources.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def json_policy(capsys: pytest.CaptureFixture[str], path: str | Path,
                machine: str | None) -> dict[str, Any]:
    out, _ = generate(capsys, path, "json", machine)
    return json.loads(out)  # type: ignore[no-any-return]


# -- CloudFormation, SAM, CDK --------------------------------------------------------------

@pytest.mark.parametrize("case", CFN_INPUTS, ids=_ids)
def test_the_cfn_role_refers_to_the_templates_resources_and_deploys_the_json_policy(
        capsys: pytest.CaptureFixture[str], case: tuple[str, str | None]) -> None:
    path, name = ROOT / case[0], case[1]
    machine = machine_of(path, name)
    template = read_template(machine.file if machine.kind == "cdk" else
                             (path / "template.yaml" if path.is_dir() else path))
    out, _ = generate(capsys, path, "cfn", name)
    role = json.loads(out) if machine.kind == "cdk" or str(path).endswith(".json") \
        else yaml.safe_load(out)
    # the input's own resources, by !GetAtt / !Ref, where the definition's values came from
    kept, _ = references(machine, "cfn")
    used = {json.dumps(e, sort_keys=True) for e in _intrinsics(role["Resources"])}
    policy = json_policy(capsys, path, name)
    for value in _resources(policy):
        if value in kept and isinstance(kept[value], dict) and set(kept[value]) & {
                "Ref", "Fn::GetAtt"}:
            assert json.dumps(kept[value], sort_keys=True) in used, value
    # deployed with the values the template resolves to: the JSON policy
    deployed = cfn(role["Resources"], values(machine, template))
    props = deployed[role_id(role)]["Properties"]
    if "Policies" in props:
        (inline,) = props["Policies"]
        assert normal(inline["PolicyDocument"]) == normal(policy)
    elif not policy["Statement"]:
        assert "ManagedPolicyArns" not in props
    else:  # over the inline limit: managed policies, each a part of the split policy
        parts = [deployed[ref["Ref"]]["Properties"]["PolicyDocument"]
                 for ref in role["Resources"][role_id(role)]["Properties"]["ManagedPolicyArns"]]
        assert [normal(p) for p in parts] == [normal(p) for p in split(policy, MANAGED_LIMIT)]
    # inserted into the input template: cfn-lint finds no error (no circular dependency)
    assert errors(insert_role(template, machine.name, role, "cfn")) == []


@pytest.mark.parametrize("case", [c for c in CFN_INPUTS if "sam" in c[0]], ids=_ids)
def test_the_sam_policies_in_the_sam_template_pass_cfn_lint(
        capsys: pytest.CaptureFixture[str], case: tuple[str, str | None]) -> None:
    path, name = ROOT / case[0], case[1]
    machine = machine_of(path, name)
    template = read_template(path / "template.yaml" if path.is_dir() else path)
    out, _ = generate(capsys, path, "sam", name)
    sam = yaml.safe_load(out)
    (doc,) = cfn(sam["Policies"], values(machine, template))
    assert normal(doc) == normal(json_policy(capsys, path, name))
    assert errors(insert_role(template, machine.name, sam, "sam")) == []


def _resources(policy: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for st in policy["Statement"]:
        out.update(st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]])
    return out


def _intrinsics(node: Any) -> list[dict[str, Any]]:
    """Every Ref / Fn::GetAtt in a template, and those inside Fn::Sub strings."""
    out: list[dict[str, Any]] = []
    if isinstance(node, list):
        for x in node:
            out += _intrinsics(x)
    elif isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in ("Ref", "Fn::GetAtt"):
            return [node]
        if len(node) == 1 and "Fn::Sub" in node:
            text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
            for m in re.finditer(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}", text):
                out.append({"Ref": m.group(1)} if m.group(2) is None else
                           {"Fn::GetAtt": [m.group(1), m.group(2)]})
        for v in node.values():
            out += _intrinsics(v)
    return out


def test_sam_app_writes_getatt_for_the_function_queue_and_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = generate(capsys, ROOT / "examples" / "sam-app", "cfn")
    used = _intrinsics(yaml.safe_load(out)["Resources"])
    for expr in ({"Fn::GetAtt": ["ValidateFunction", "Arn"]},
                 {"Fn::GetAtt": ["OrdersTable", "Arn"]},
                 {"Fn::GetAtt": ["ShippingQueue", "Arn"]}):
        assert expr in used
    # AlertTopic has no TopicName: its ARN is a wildcard in the JSON policy, and stays one
    assert {"Ref": "AlertTopic"} not in used and "sns:${AWS::Region}:${AWS::AccountId}:*" in out
    # the trust policy: the machine's own ARN from its name, never a Ref to it
    assert {"Ref": "OrderStateMachine"} not in used
    assert "stateMachine:orders-dev" in out
    assert "validate-order-dev" not in out and "shipping-dev" not in out


def test_serverless_writes_literal_names(capsys: pytest.CaptureFixture[str]) -> None:
    """serverless.yml: the definition's ``Fn::GetAtt: [resize, Arn]`` is SSF's shorthand,
    translated only inside definitions (the function's logical id is the framework's
    ``ResizeLambdaFunction``): the role names the resources, with pseudo parameters."""
    out, _ = generate(capsys, ROOT / "examples" / "serverless", "cfn")
    role = yaml.safe_load(out)
    assert [e for e in _intrinsics(role["Resources"]) if "AWS::" not in json.dumps(e)
            and e != {"Fn::GetAtt": ["StateMachineRole", "Arn"]}] == []
    assert "function:thumbnails-dev-resize" in out
    policy = json_policy(capsys, ROOT / "examples" / "serverless", None)
    (inline,) = cfn(role["Resources"], PSEUDO)["StateMachineRole"]["Properties"]["Policies"]
    assert normal(inline["PolicyDocument"]) == normal(policy)
    assert errors(role) == []


# -- Terraform -------------------------------------------------------------------------------

def _folder_blocks(folder: Path) -> set[str]:
    out: set[str] = set()
    for tf in sorted(folder.glob("*.tf")):
        out |= declared(hcl2.loads(tf.read_text()))
    return out


@pytest.mark.parametrize("case", TF_INPUTS, ids=_ids)
def test_the_terraform_role_names_only_blocks_of_the_input_and_is_the_json_policy(
        capsys: pytest.CaptureFixture[str], case: tuple[str, str | None]) -> None:
    path, name = ROOT / case[0], case[1]
    machine = machine_of(path, name)
    out, _ = generate(capsys, path, "terraform", name)
    parsed = hcl2.loads(out)
    folder = Path(machine.file).parent
    names = referenced(parsed)
    assert names <= _folder_blocks(folder) | declared(parsed), \
        names - _folder_blocks(folder) - declared(parsed)
    # the output's own labels do not clash with the input's
    assert not (declared(parsed) & _folder_blocks(folder))
    kept, _ = references(machine, "terraform")
    policy = json_policy(capsys, path, name)
    for value in _resources(policy):
        if value in kept:
            assert str(kept[value]) in out, value
    tf_values = data_values(tf_label(parsed))
    tf_values.update({str(e): v for v, e in machine.origins.items() if isinstance(e, str)})
    assert normal(terraform_policy(parsed, tf_label(parsed), tf_values)) == normal(policy)


def test_terraform_example_refers_to_the_function_queue_and_job(
        capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = generate(capsys, ROOT / "examples" / "terraform", "terraform")
    for ref in ("aws_lambda_function.extract.arn", "aws_sqs_queue.results.arn",
                "aws_glue_job.transform.arn"):
        assert ref in out
    assert "reports-dev" in out  # the trust policy: the machine's ARN from its name
    assert "aws_sfn_state_machine" not in out


# -- cycles ----------------------------------------------------------------------------------

CYCLIC_SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: looper
      DefinitionSubstitutions:
        Worker: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:worker"
        Self: !Sub "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:looper"
      Definition:
        StartAt: Work
        States:
          Work:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: "${Worker}"
            Next: Again
          Again:
            Type: Task
            Resource: arn:aws:states:::states:startExecution
            Parameters:
              StateMachineArn: "${Self}"
              Input: {}
            Next: Store
          Store:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: !Ref Table
              Item: {}
            End: true
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): return e"
      Environment:
        Variables:
          MACHINE: !Ref Machine
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


@pytest.mark.parametrize("fmt", ["cfn", "sam"])
def test_a_function_naming_the_machine_and_a_machine_starting_itself_make_no_cycle(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    """The function's environment names the machine, so the machine calls it by an ARN built
    from its name (a GetAtt would be a cycle in the input already); the machine starts
    itself by its own name. The role: the function and the machine by name, the table by
    GetAtt; inserted into the template, no circular dependency."""
    path = tmp_path / "template.yaml"
    path.write_text(CYCLIC_SAM)
    machine = machine_of(path, None)
    out, _ = generate(capsys, path, fmt)
    role = yaml.safe_load(out)
    used = _intrinsics(role)
    assert {"Fn::GetAtt": ["Worker", "Arn"]} not in used and {"Ref": "Worker"} not in used
    assert "function:worker" in out and "stateMachine:looper" in out
    assert {"Ref": "Machine"} not in used
    assert {"Fn::GetAtt": ["Table", "Arn"]} in used
    template = read_template(path)
    assert circular(template) == []
    assert errors(insert_role(template, "Machine", role, fmt)) == []
    deployed = cfn(role.get("Resources", role), values(machine, template))
    doc = (deployed["Policies"][0] if fmt == "sam" else
           deployed["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"])
    assert normal(doc) == normal(json_policy(capsys, path, None))


def test_an_unnamed_child_machine_is_not_written_as_a_ref_to_the_parent(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Two machines without names both resolve to ``stateMachine:*``; the reader's origin of
    that value is the parent's own ``Ref``. Written as is, the parent's role would grant
    StartExecution on the parent (not the child) and depend on the parent: a cycle. The
    writers refer to nothing that depends on the machine."""
    path = FIXTURES / "cdk" / "integ-sfn-start-execution.template.json"
    machine = machine_of(path, "Parent8B210403")
    template = read_template(path)
    result = generate_state_machine(machine, region=REGION, account=ACCOUNT)
    raw = to_cloudformation(result, region=REGION, account=ACCOUNT, references=machine.origins)
    assert {"Ref": "Parent8B210403"} in _intrinsics(raw)
    assert errors(insert_role(template, "Parent8B210403", raw, "cfn")) == [
        "circular: Parent8B210403 -> StateMachineRole -> Parent8B210403"]
    out, _ = generate(capsys, path, "cfn", "Parent8B210403")
    role = json.loads(out)
    assert {"Ref": "Parent8B210403"} not in _intrinsics(role)
    assert errors(insert_role(template, "Parent8B210403", role, "cfn")) == []


def test_references_leave_out_what_depends_on_the_machine(tmp_path: Path) -> None:
    """The filter itself: an origin naming a resource that depends on the machine (through
    another) is left out and reported; one the machine depends on is kept."""
    path = tmp_path / "template.yaml"
    path.write_text(CYCLIC_SAM + """  Alarm:
    Type: AWS::CloudWatch::Alarm
    DependsOn: Worker
    Properties:
      AlarmName: worker-errors
""")
    machine = machine_of(path, None)
    machine.origins["arn:aws:cloudwatch:us-east-1:123456789012:alarm:worker-errors"] = {
        "Fn::GetAtt": ["Alarm", "Arn"]}
    machine.origins["worker"] = {"Ref": "Worker"}
    kept, cyclic = references(machine, "cfn")
    assert cyclic == ["Alarm", "Worker"]
    assert {"Fn::GetAtt": ["Table", "Arn"]} in kept.values()
    assert not {json.dumps(e) for e in kept.values()} & {
        json.dumps({"Ref": "Worker"}), json.dumps({"Fn::GetAtt": ["Alarm", "Arn"]}),
        json.dumps({"Ref": "Machine"})}


CYCLIC_TF = """\
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.lambda.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
  environment {
    variables = {
      MACHINE = local.machine_arn
    }
  }
}

locals {
  machine_arn = aws_sfn_state_machine.main.arn
}

resource "aws_sqs_queue" "jobs" {
  name  = "jobs-${count.index}"
  count = 2
}

resource "aws_sqs_queue" "results" {
  name = "results"
}

resource "aws_iam_role" "lambda" {
  name               = "lambda"
  assume_role_policy = "{}"
}

resource "aws_sfn_state_machine" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/x"
  definition = jsonencode({
    StartAt = "Work"
    States = {
      Work = {
        Type     = "Task"
        Resource = aws_lambda_function.worker.arn
        Next     = "Queue"
      }
      Queue = {
        Type       = "Task"
        Resource   = "arn:aws:states:::sqs:sendMessage"
        Parameters = { QueueUrl = aws_sqs_queue.jobs[0].url, MessageBody = "x" }
        Next       = "Results"
      }
      Results = {
        Type       = "Task"
        Resource   = "arn:aws:states:::sqs:sendMessage"
        Parameters = { QueueUrl = aws_sqs_queue.results.url, MessageBody = "x" }
        End        = true
      }
    }
  })
}
"""


def test_terraform_a_function_naming_the_machine_through_a_local_makes_no_cycle(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CYCLIC_TF)
    out, err = generate(capsys, tmp_path, "terraform")
    parsed = hcl2.loads(out)
    assert "aws_lambda_function.worker" not in out and "function:worker" in out
    assert "aws_lambda_function.worker depends on the state machine" in err
    assert "aws_sqs_queue.results.arn" in out
    # a counted queue: no reference without an index (it would name no one instance)
    assert "aws_sqs_queue.jobs" not in out
    assert referenced(parsed) <= _folder_blocks(tmp_path) | declared(parsed)
    policy = json_policy(capsys, tmp_path, None)
    tf_values = {**DATA, "aws_sqs_queue.results.arn": "arn:aws:sqs:us-east-1:123456789012:results"}
    assert normal(terraform_policy(parsed, "state_machine", tf_values)) == normal(policy)


# -- the library -----------------------------------------------------------------------------

def test_the_library_gives_the_same_template_as_the_cli(
        capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "sam-app"
    machine = machine_of(path, None)
    result = generate_state_machine(machine, region=REGION, account=ACCOUNT)
    refs, cyclic = references(machine, "cfn")
    assert cyclic == []
    template = to_cloudformation(result, region=REGION, account=ACCOUNT,
                                 state_machine_arn=machine.arn, references=refs)
    out, _ = generate(capsys, path, "cfn")
    assert yaml.safe_load(out) == template
    tf = ROOT / "examples" / "terraform"
    machine = machine_of(tf, None)
    result = generate_state_machine(machine, region=REGION, account=ACCOUNT)
    refs, _ = references(machine, "terraform")
    text = to_terraform(result, region=REGION, account=ACCOUNT, state_machine_arn=machine.arn,
                        references=refs)
    out, _ = generate(capsys, tf, "terraform")
    assert out == text


def test_a_copy_of_the_example_elsewhere_gives_the_same_output(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The references do not depend on where the folder is (paths are the reader's)."""
    shutil.copytree(ROOT / "examples" / "terraform", tmp_path / "tf")
    here, _ = generate(capsys, ROOT / "examples" / "terraform", "terraform")
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        there, _ = generate(capsys, "tf", "terraform")
    finally:
        os.chdir(cwd)
    assert here == there


def test_a_machine_in_a_module_names_no_block_of_another_module(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The machine sits in a child module and its Lambda in another (passed in through a
    variable): the reader's origin ``aws_lambda_function.aws_lambda_example.arn`` is no
    block of the machine's module, where the role goes; it is written by its value."""
    path = FIXTURES / "terraform" / "step-function-lambda-terraform"
    machine = machine_of(path, None)
    origin = "aws_lambda_function.aws_lambda_example.arn"
    assert origin in machine.origins.values()
    folder = Path(machine.file).parent
    assert "aws_lambda_function.aws_lambda_example" not in _folder_blocks(folder)
    out, _ = generate(capsys, path, "terraform")
    assert origin not in out and "function:aws_lambda_example" in out
    parsed = hcl2.loads(out)
    assert referenced(parsed) <= _folder_blocks(folder) | declared(parsed)


def test_two_topics_without_names_keep_the_wildcard(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Both topics resolve to ``arn:aws:sns:us-east-1:123456789012:*``, one origin for the two:
    a Ref of either in the role would deny publishing to the other."""
    app = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "sam-app", app)
    asl = app / "statemachine" / "orders.asl.json"
    definition = json.loads(asl.read_text())
    definition["States"]["Ship"] = {**definition["States"]["Ship"], "Next": "Notify"}
    del definition["States"]["Ship"]["End"]
    definition["States"]["Notify"] = {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
        "Parameters": {"TopicArn": "${OtherTopicArn}", "Message": "shipped"}}
    asl.write_text(json.dumps(definition))
    text = (app / "template.yaml").read_text().replace(
        "        AlertTopicArn: !Ref AlertTopic\n",
        "        AlertTopicArn: !Ref AlertTopic\n        OtherTopicArn: !Ref OtherTopic\n")
    (app / "template.yaml").write_text(text + "\n  OtherTopic:\n    Type: AWS::SNS::Topic\n")
    machine = machine_of(app, None)
    assert machine.origins["arn:aws:sns:us-east-1:123456789012:*"] in (
        {"Ref": "AlertTopic"}, {"Ref": "OtherTopic"})
    for fmt in ("cfn", "sam"):
        out, _ = generate(capsys, app, fmt)
        used = _intrinsics(yaml.safe_load(out))
        assert {"Ref": "AlertTopic"} not in used and {"Ref": "OtherTopic"} not in used
        assert "sns:${AWS::Region}:${AWS::AccountId}:*" in out
    out, _ = generate(capsys, app, "sam")
    (doc,) = cfn(yaml.safe_load(out)["Policies"],
                 values(machine, read_template(app / "template.yaml")))
    assert normal(doc) == normal(json_policy(capsys, app, None))


def test_pseudo_parameters_are_not_names_that_replace_segments() -> None:
    """The CDK reader's origins hold ``aws`` -> ``Ref AWS::Partition``; as a name it would turn
    an S3 key ``logs/aws/*`` into ``logs/${AWS::Partition}/*``. The writers place the
    partition, region and account by ARN field only."""
    machine = machine_of(ROOT / "examples" / "cdk.out", None)
    assert machine.origins["aws"] == {"Ref": "AWS::Partition"}
    kept, _ = references(machine, "cfn")
    assert "aws" not in kept
    result = generate_state_machine(machine, region=REGION, account=ACCOUNT)
    result.document["Statement"].append({"Effect": "Allow", "Action": ["s3:GetObject"],
                                         "Resource": ["arn:aws:s3:::logs/aws/*"]})
    template = to_cloudformation(result, region=REGION, account=ACCOUNT, references=kept)
    assert "arn:${AWS::Partition}:s3:::logs/aws/*" in json.dumps(template)
