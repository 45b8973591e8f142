"""Hostile and malformed input: a policy or exit 2 with one clear line, never a traceback, a
hang or runaway memory. The CLI runs in a subprocess (exit code, stderr, a timeout and a
memory cap) wherever that matters; big and deep inputs are generated here, in tmp_path."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sfn_iam import generate_policy
from sfn_iam.catalogue import known_services, service_module
from sfn_iam.errors import DefinitionError
from sfn_iam.load import parse_json
from sfn_iam.walk import MAX_STATES, iter_states

ENV = ["--region", "us-east-1", "--account", "123456789012"]
MEMORY_CAP = 1 << 30  # 1 GiB of address space for each CLI run


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def cli(*args: str, stdin: bytes | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "sfn_iam", "generate", *args], input=stdin,
                       capture_output=True, timeout=timeout, check=False,
                       preexec_fn=_limit_memory if os.name == "posix" else None)
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode(),
                                       p.stderr.decode("utf-8", "replace"))


def refused(p: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr naming what is wrong."""
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("sfn-iam: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def policy(p: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 0, (p.returncode, p.stderr)
    doc: dict[str, Any] = json.loads(p.stdout)
    assert doc["Version"] == "2012-10-17"
    return doc


def task(fn: str = "f", **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": fn}, "End": True, **extra}


def machine(states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


OK = json.dumps(machine({"A": task()}))


# --- malformed text ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("a.json", b"{not json", ["not valid JSON", "line 1 column 2"]),
        ("a.json", b'{"StartAt": "A",, "States": {}}', ["not valid JSON"]),
        ("a.json", b'{"StartAt": "A", "States": {"A": ', ["not valid JSON"]),
        ("a.json", OK.encode() + b" trailing", ["not valid JSON", "Extra data"]),
        ("a.json", b'{"a": "\x01"}', ["not valid JSON", "control character"]),
        ("a.json", b"{'StartAt': 'A'}", ["not valid JSON", "JSON5"]),
        ("a.json", b'{"n": ' + b"9" * 5000 + b"}", ["not valid JSON", "digits"]),
        ("a.yaml", b"StartAt: A\nStates: [unclosed\n", ["not valid JSON or YAML", "line"]),
        ("a.yaml", b"StartAt: A\n\tStates: {}\n", ["not valid JSON or YAML"]),
        ("a.yaml", b"!!python/object/apply:os.system ['true']\n", ["not valid JSON or YAML"]),
        # (a bare definition with CloudFormation tags is read since issue 11: tests/sources)
        ("a.yaml", b"StartAt: A\nStates:\n  A: {Type: Task, Resource: !Bogus Fn.Arn}\n",
         ["unknown intrinsic function Fn::Bogus"]),
        ("a.json", b"", ["is empty"]),
        ("a.json", b"  \n\t\n", ["is empty"]),
        ("a.json", b"\xef\xbb\xbf", ["is empty"]),
        ("a.json", bytes(range(256)) * 4, ["not UTF-8"]),
        ("a.json", b"\x00" * 100, ["not valid JSON"]),
        ("a.json", '{"Comment": "café"}'.encode("latin-1"), ["not UTF-8", "byte 16"]),
        ("a.json", OK.encode("utf-16"), ["not UTF-8", "UTF-16"]),
        ("a.json", b"[]", ["top level must be an object", "not a list"]),
        ("a.json", b"42", ["top level must be an object", "not a int"]),
        ("a.json", b"null", ["top level must be an object"]),
        ("a.json", b'"StartAt"', ["top level must be an object", "not a str"]),
        ("a.yaml", b"- a\n- b\n", ["top level must be an object"]),
        ("a.yaml", b"just a string\n", ["top level must be an object"]),
        ("a.yaml", b"---\n...\n", ["top level must be an object", "NoneType"]),
    ],
)
def test_malformed_text_is_one_clear_line(tmp_path: Path, name: str, content: bytes,
                                          needles: list[str]) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    line = refused(cli(str(f), timeout=20), *needles)
    assert str(f) in line


def test_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    refused(cli(str(tmp_path)), "is a directory", str(tmp_path))
    refused(cli(str(tmp_path / "nope.json")), "no such file")


def test_no_stdin_is_empty() -> None:
    refused(cli("-", stdin=b""), "<stdin>", "is empty")


def test_max_bytes_must_be_positive() -> None:
    for bad in ("0", "-1", "lots"):
        p = cli("-", "--max-bytes", bad, stdin=OK.encode())
        assert p.returncode == 2 and "Traceback" not in p.stderr and "--max-bytes" in p.stderr


# --- wrong types and missing fields, at every level ------------------------------------------

RICH: dict[str, Any] = {
    "StartAt": "Fan",
    "QueryLanguage": "JSONPath",
    "States": {
        "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
            machine({"A": task("a", Credentials={"RoleArn": "arn:aws:iam::111122223333:role/r"})}),
            machine({"Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                           "Parameters": {"QueueUrl.$": "$.q", "MessageBody": {"k": [1, 2]}},
                           "End": True}}),
        ]},
        "Each": {"Type": "Map", "End": True,
                 "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                "Parameters": {"Bucket": "b", "Key": "k.json"}},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                                   "StartAt": "E", "States": {"E": task("e")}}},
    },
}
WRONG = [None, 0, -1.5, True, "", "x", [], [None], {}, {"Type": None}]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _variants() -> list[Any]:
    out: list[Any] = []
    for path in _paths(RICH)[1:]:
        for value in [*WRONG, "__delete__"]:
            doc = copy.deepcopy(RICH)
            node = doc
            for step in path[:-1]:
                node = node[step]
            if value == "__delete__":
                del node[path[-1]]
            else:
                node[path[-1]] = value
            out.append(doc)
    return out


def test_wrong_types_and_missing_fields_everywhere() -> None:
    """Every field of a rich definition replaced by every wrong type, or deleted: a policy or
    a one-line DefinitionError (in-process: ~1,000 variants)."""
    variants = _variants()
    assert len(variants) > 500
    refused_n = 0
    for doc in variants:
        for as_text in (False, True):
            try:
                r = generate_policy(json.dumps(doc) if as_text else doc, region="us-east-1",
                                    account="123456789012", source="d.json")
            except DefinitionError as exc:
                assert "\n" not in str(exc) and str(exc).startswith("d.json"), str(exc)
                refused_n += 1
                continue
            json.dumps(r.document)
    assert 0 < refused_n < 2 * len(variants)


def test_non_string_keys_and_odd_yaml_types(tmp_path: Path) -> None:
    f = tmp_path / "odd.yaml"
    f.write_text("StartAt: 1\nStates:\n  1: {Type: Task, Resource: arn:aws:states:::lambda:invoke,"
                 " Parameters: {FunctionName: 2001-12-14, Payload: !!binary aGVsbG8=,"
                 " 3: !!set {a}}, End: true}\n")
    p = cli(str(f), *ENV)
    assert "Traceback" not in p.stderr and p.returncode in (0, 2), p.stderr


# --- the output cannot be used against the reader ---------------------------------------------

def test_control_characters_in_names_stay_on_one_escaped_line(tmp_path: Path) -> None:
    evil = "A\n\x1b[2Jsfn-iam: error: forged\r\x07"
    f = tmp_path / "d.json"
    f.write_text(json.dumps(machine({evil: {"Type": "Bogus"}})))
    line = refused(cli(str(f)), "Bogus")
    assert "\x1b" not in line and "\\x1b[2J" in line and "\\n" in line
    f.write_text(json.dumps(machine({evil: {"Type": "Task", "Resource": "arn:aws:states:::frob:x"}})))
    p = cli(str(f), *ENV)
    assert p.returncode == 0
    assert [x for x in p.stderr.splitlines() if "unknown-integration" in x]
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr and "\r" not in p.stderr


def test_lone_surrogates_do_not_crash(tmp_path: Path) -> None:
    f = tmp_path / "d.json"
    f.write_text('{"StartAt": "\\ud800", "States": {"\\ud800": {"Type": "Task", '
                 '"Resource": "arn:aws:states:::frob:\\udfff", "End": true}}}')
    p = cli(str(f), "--provenance", *ENV)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr


# --- JSON with comments and trailing commas (JSON5 test files) --------------------------------

def test_comments_and_trailing_commas_are_read_with_a_note(tmp_path: Path) -> None:
    f = tmp_path / "d.asl.json5"
    f.write_text('// a test fixture\n{"StartAt": "A", /* inline */ "States": {"A": '
                 '{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",\n'
                 '  "Parameters": {"FunctionName": "f",}, "End": true,},},}\n')
    p = cli(str(f), *ENV)
    assert policy(p)["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert p.stderr.startswith("sfn-iam: note: ") and "strict JSON" in p.stderr


def test_iterative_parser_matches_json_loads() -> None:
    for text in (OK, json.dumps(RICH, indent=2), '[1, -2.5e3, "\\u00e9\\ud83d\\ude00", null]',
                 '{"a": 1, "a": 2}', "NaN", '{"x": [[], {}, [[{}]]]}'):
        expected = json.loads(text)
        got, lenient = parse_json(text)
        assert not lenient
        assert json.dumps(got) == json.dumps(expected)


# --- big, deep and explosive ------------------------------------------------------------------

def _deep_json(levels: int) -> str:
    """``levels`` Parallel and Map states nested one in the other, a Task at the bottom."""
    s = json.dumps(task("bottom"))
    for i in range(levels):
        if i % 2:
            s = '{"Type":"Parallel","End":true,"Branches":[{"StartAt":"S","States":{"S":' + s + "}}]}"
        else:
            s = '{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"S","States":{"S":' + s + "}}}"
    return '{"StartAt":"S","States":{"S":' + s + "}}"


def test_5000_deep_parallel_and_map_gives_the_policy(tmp_path: Path) -> None:
    f = tmp_path / "deep.json"
    f.write_text(_deep_json(5000))  # 20,000 levels of JSON nesting
    with pytest.raises(RecursionError):
        json.loads(f.read_text())
    p = cli(str(f), *ENV)
    assert policy(p)["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:bottom"]


def test_deeper_than_the_budget_is_refused_with_a_short_line(tmp_path: Path) -> None:
    f = tmp_path / "deeper.json"
    f.write_text(_deep_json(7000))
    line = refused(cli(str(f), *ENV), "nested too deeply", "more ...")
    assert len(line) < 600


def test_deeply_nested_parameters(tmp_path: Path) -> None:
    f = tmp_path / "params.json"
    f.write_text('{"StartAt":"A","States":{"A":{"Type":"Task","Resource":'
                 '"arn:aws:states:::lambda:invoke","End":true,"Parameters":{"FunctionName":"f",'
                 '"Payload":' + '{"a":[' * 50_000 + "1" + "]}" * 50_000 + "}}}}")
    p = cli(str(f), "--provenance", *ENV)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert json.loads(p.stdout)["policy"]["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:f"]


def test_60_mb_file_is_refused_at_once(tmp_path: Path) -> None:
    f = tmp_path / "big.json"
    with f.open("wb") as fh:
        fh.write(b'{"StartAt": "A", "States": {"A": ')
        fh.truncate(60 * 1024 * 1024)  # sparse: no need to write 60 MB
    start = time.monotonic()
    refused(cli(str(f)), "62,914,560 bytes", "limit of 8,388,608 bytes", "--max-bytes")
    assert time.monotonic() - start < 10


def test_60_mb_on_stdin_is_refused_after_reading_the_limit() -> None:
    data = b'{"StartAt": "A", "States": {"A": ' + b" " * (60 * 1024 * 1024)
    refused(cli("-", stdin=data), "<stdin>", "larger than the limit of 8,388,608 bytes")
    refused(cli("-", "--max-bytes", "1000", stdin=OK.encode() + b" " * 2000), "1,000 bytes")


def _laughs(levels: int, width: int, where: str) -> str:
    if where == "branches":
        out = ['x0: &x0 {StartAt: A, States: {A: {Type: Task, Resource: '
               '"arn:aws:states:::lambda:invoke", Parameters: {FunctionName: f}, End: true}}}']
        for i in range(1, levels):
            refs = ", ".join([f"*x{i - 1}"] * width)
            out.append(f"x{i}: &x{i} {{StartAt: P, States: {{P: {{Type: Parallel, End: true, "
                       f"Branches: [{refs}]}}}}}}")
        out.append(f"StartAt: P\nStates: {{P: {{Type: Parallel, End: true, Branches: [*x{levels - 1}]}}}}")
    else:
        out = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in range(1, levels):
            out.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
        out.append("StartAt: A\nStates: {A: {Type: Task, Resource: arn:aws:states:::lambda:invoke,"
                   f" End: true, Parameters: {{FunctionName: f, Payload: *l{levels - 1}}}}}}}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("where", ["branches", "parameters"])
def test_yaml_billion_laughs_is_refused(tmp_path: Path, where: str) -> None:
    f = tmp_path / "lol.yaml"
    f.write_text(_laughs(10, 10, where))
    start = time.monotonic()
    refused(cli(str(f), *ENV, timeout=20), "alias bomb", str(f))
    assert time.monotonic() - start < 10


def test_yaml_aliases_within_the_budget_still_work(tmp_path: Path) -> None:
    f = tmp_path / "shared.yaml"
    f.write_text(_laughs(3, 3, "branches"))  # 9 copies of one shared branch
    assert policy(cli(str(f), *ENV))["Statement"][0]["Action"] == ["lambda:InvokeFunction"]


def test_yaml_recursive_alias_and_merge_chain_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "rec.yaml"
    f.write_text("StartAt: P\nStates: &s\n  P: {Type: Parallel, End: true, "
                 "Branches: [{StartAt: P, States: *s}]}\n")
    refused(cli(str(f)), "refers to a node that contains it")
    f.write_text("\n".join(["a0: &a0 {k0: 1}"] + [f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: 1}}"
                                                  for i in range(1, 3000)])
                 + "\nStartAt: A\nStates: {A: {Type: Pass, End: true}}\n")
    refused(cli(str(f), timeout=20), "alias bomb")


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "deep.yaml"
    f.write_text("StartAt: A\nStates: {A: {Type: Task, Resource: arn:aws:states:::lambda:invoke,"
                 " End: true, Parameters: {FunctionName: f, P: " + "[" * 5000 + "]" * 5000 + "}}}\n")
    refused(cli(str(f), *ENV), "nested too deeply")


def test_many_states(tmp_path: Path) -> None:
    states: dict[str, Any] = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(100_000)}
    states.update({f"T{i}": task(f"fn-{i}") for i in range(5_000)})
    f = tmp_path / "many.json"
    f.write_text(json.dumps(machine(states)))
    start = time.monotonic()
    doc = policy(cli(str(f), "--max-bytes", str(16 << 20), *ENV, timeout=60))
    assert len(doc["Statement"][0]["Resource"]) == 5_000
    assert time.monotonic() - start < 30


def test_many_wildcard_grants_stay_fast(tmp_path: Path) -> None:
    """Each nested execution is granted on ``execution:NAME:*``: 2,000 wildcards and as many
    ARNs to merge (~30 s when every pattern was checked against every resource)."""
    states = {f"S{i}": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "End": True, "Parameters": {
                            "StateMachineArn": f"arn:aws:states:us-east-1:123456789012:stateMachine:m{i}"}}
              for i in range(2_000)}
    f = tmp_path / "wild.json"
    f.write_text(json.dumps(machine(states)))
    start = time.monotonic()
    policy(cli(str(f), *ENV, timeout=60))
    assert time.monotonic() - start < 10


def test_shared_and_recursive_dicts_from_python() -> None:
    """The library takes a dict: a structure that shares branches without end, or contains
    itself, is refused by the walker."""
    level: dict[str, Any] = machine({"A": task()})
    for _ in range(30):  # 2**30 states once expanded
        level = machine({"P": {"Type": "Parallel", "End": True, "Branches": [level, level]}})
    start = time.monotonic()
    with pytest.raises(DefinitionError, match=f"more than {MAX_STATES:,} states"):
        for _ in iter_states(level):
            pass
    assert time.monotonic() - start < 10
    with pytest.raises(DefinitionError, match="more than 1,000 states"):
        list(iter_states(level, max_states=1000))
    loop: dict[str, Any] = machine({"M": {"Type": "Map", "End": True}})
    loop["States"]["M"]["ItemProcessor"] = loop
    with pytest.raises(DefinitionError, match="contains itself"):
        list(iter_states(loop))


# --- long pathological strings: every parameter of every integration --------------------------

PARAMS = ("FunctionName", "QueueUrl", "TopicArn", "TargetArn", "PhoneNumber", "TableName",
          "StateMachineArn", "ClusterName", "ClusterId", "Cluster", "TaskDefinition", "JobName",
          "JobQueue", "JobDefinition", "Bucket", "Key", "Prefix", "VersionId", "ApiEndpoint",
          "Path", "Stage", "Method", "Name", "RoleArn", "ExecutionRoleArn", "ServiceRole",
          "ApplicationId", "JobRunId", "ProjectName", "EventBusName", "WorkGroup", "Id",
          "EndpointName", "EndpointConfigName", "ModelName", "ModelId", "VirtualClusterId",
          "ConnectionArn", "GuardrailIdentifier", "NodegroupName", "FargateProfileName",
          "TrainingJobName", "TransformJobName", "ProcessingJobName", "LabelingJobName",
          "HyperParameterTuningJobName", "BaseModelIdentifier", "Role", "NodeRole")
N = 10_000  # characters: a quadratic step costs ~1 s on this, a linear one ~1 ms
SHAPES = {
    "letters": "a" * N, "dashes": "us-" + "a-" * (N // 2), "wildcards": "*a" * (N // 2),
    "colons": "arn:" + ":" * N, "slashes": "a/" * (N // 2), "dots": "$." + ".a" * (N // 2),
    "arn": "arn:aws:lambda:us-east-1:123456789012:function:" + "a" * N,
    "url": "https://sqs.us-east-1.amazonaws.com/123456789012/" + "a-" * (N // 2),
    "s3": "arn:aws:s3:::" + "b/" * (N // 2), "jsonata": "{% " + "$a & " * (N // 5) + "%}",
    "intrinsic": "States.Format(" + "'{}', " * (N // 6) + "$.a)",
    "format-unclosed": "States.Format('" + "a" * N,
    "placeholders": "${" * (N // 2),
}
# Fixed: params._PLACEHOLDER ([^${}]* instead of [^}]*) and catalogue/http.py _FORMAT (no
# two starred groups over the same text) were quadratic on these shapes.
KNOWN_QUADRATIC: dict[str, str] = {}


def _apis() -> list[str]:
    return sorted(f"{svc}:{api}" for svc in known_services()
                  for api in getattr(service_module(svc), "RULES", {}))


@pytest.mark.parametrize("shape", [
    pytest.param(k, marks=pytest.mark.xfail(reason=KNOWN_QUADRATIC[k], strict=True))
    if k in KNOWN_QUADRATIC else k for k in SHAPES])
def test_long_pathological_strings_stay_linear(shape: str) -> None:
    """Each integration with every parameter set to a 10,000-character string of one shape,
    static and as a JSONPath: no step may take more than 1 s. A linear step takes 1-30 ms (the
    first call of an integration imports its module); a quadratic one on 10,000 characters
    takes seconds, so the bound catches it with room for a loaded shared machine (0.25 s was
    once exceeded by a linear step under load)."""
    value = SHAPES[shape]
    for api in _apis():
        for dynamic in (False, True):
            params = {(f"{k}.$" if dynamic else k): value for k in PARAMS}
            body = {"Type": "Task", "Resource": f"arn:aws:states:::{api}", "End": True,
                    "Parameters": params, "Credentials": {"RoleArn": value}}
            start = time.monotonic()
            with contextlib.suppress(DefinitionError):
                generate_policy(machine({"A": body}), region="us-east-1", account="123456789012")
            took = time.monotonic() - start
            assert took < 1.0, f"{api} ({'JSONPath' if dynamic else 'static'}): {took:.2f} s"
