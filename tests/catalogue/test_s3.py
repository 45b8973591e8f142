"""Distributed Map ItemReader / ResultWriter rules pinned to CURRENT-DOCS §4.4-§4.5
(iam-policies-eg-dist-map.html)."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_iam import generate_policy
from tests.util import ACCOUNT, REGION, assert_policy, codes, stmt

SM = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Orders"
CHILD = [
    stmt("states:StartExecution", SM),
    stmt(["states:DescribeExecution", "states:StopExecution"],
         [f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Orders:*",
          f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Orders/*"]),
]


def redrive(label: str = "*") -> dict[str, Any]:
    return stmt("states:RedriveExecution",
                f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Orders/{label}:*")


def dmap(reader: dict[str, Any] | None = None, writer: dict[str, Any] | None = None,
         jsonata: bool = False, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "Map", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        **extra,
    }
    if reader is not None:
        body["ItemReader"] = reader
    if writer is not None:
        body["ResultWriter"] = writer
    top: dict[str, Any] = {"StartAt": "Fan", "States": {"Fan": body}}
    if jsonata:
        top["QueryLanguage"] = "JSONata"
    return top


def gen(defn: dict[str, Any], **kw: Any):  # type: ignore[no-untyped-def]
    return generate_policy(defn, state_machine_arn=SM, **kw)


def reader(api: str, params: dict[str, Any], jsonata: bool = False, **config: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Resource": f"arn:aws:states:::s3:{api}",
                           ("Arguments" if jsonata else "Parameters"): params}
    if config:
        out["ReaderConfig"] = config
    return out


@pytest.mark.parametrize("input_type", ["CSV", "JSON", "JSONL", "PARQUET"])
def test_get_object_file(input_type: str) -> None:
    r = gen(dmap(reader("getObject", {"Bucket": "data", "Key": "in/ratings.csv"},
                        InputType=input_type)))
    assert_policy(r, *CHILD, redrive(), stmt("s3:GetObject", "arn:aws:s3:::data/in/ratings.csv"))
    assert r.warnings == []


def test_versioned_object() -> None:
    r = gen(dmap(reader("getObject", {"Bucket": "data", "Key": "k.json", "VersionId": "v1"},
                        InputType="JSON")))
    assert_policy(r, *CHILD, redrive(), stmt(["s3:GetObject", "s3:GetObjectVersion"],
                                             "arn:aws:s3:::data/k.json"))


def test_list_objects_with_prefix_condition() -> None:
    r = gen(dmap(reader("listObjectsV2", {"Bucket": "data", "Prefix": "uploads/"})))
    assert_policy(r, *CHILD, redrive(),
                  stmt("s3:ListBucket", "arn:aws:s3:::data",
                       {"StringLike": {"s3:prefix": "uploads/"}}),
                  stmt("s3:GetObject", "arn:aws:s3:::data/uploads/*"))


def test_list_objects_without_prefix() -> None:
    r = gen(dmap(reader("listObjectsV2", {"Bucket": "data"})))
    assert_policy(r, *CHILD, redrive(), stmt("s3:ListBucket", "arn:aws:s3:::data"),
                  stmt("s3:GetObject", "arn:aws:s3:::data/*"))


def test_s3_inventory_manifest() -> None:
    key = "inv/src-bucket/config1/2024-01-01T00-00Z/manifest.json"
    r = gen(dmap(reader("getObject", {"Bucket": "dest", "Key": key},
                        InputType="MANIFEST", ManifestType="S3_INVENTORY")))
    assert_policy(r, *CHILD, redrive(),
                  stmt("s3:GetObject", [f"arn:aws:s3:::dest/{key}",
                                        "arn:aws:s3:::dest/inv/src-bucket/config1/data/*"]))


def test_athena_manifest_reads_the_bucket_and_warns() -> None:
    r = gen(dmap(reader("getObject", {"Bucket": "athena-out", "Key": "q/manifest.csv"},
                        InputType="MANIFEST", ManifestType="ATHENA_DATA")))
    assert_policy(r, *CHILD, redrive(), stmt("s3:GetObject", "arn:aws:s3:::athena-out/*"))
    assert "dynamic-resource" in codes(r)


def test_result_writer() -> None:
    r = gen(dmap(writer={"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out", "Prefix": "csvJobs"}}))
    assert_policy(r, *CHILD, redrive(),
                  stmt(["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload"], "arn:aws:s3:::out/csvJobs/*"))


def test_writer_config_alone_writes_nothing() -> None:
    r = gen(dmap(writer={"WriterConfig": {"OutputType": "JSONL"}}))
    assert_policy(r, *CHILD, redrive())


def test_dynamic_bucket_jsonpath() -> None:
    r = gen(dmap(reader("getObject", {"Bucket.$": "$.bucket", "Key": "k.csv"}, InputType="CSV")))
    assert_policy(r, *CHILD, redrive(), stmt("s3:GetObject", "arn:aws:s3:::*/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].state_path == ("Fan", "ItemReader")
    assert r.warnings[0].parameter == "Parameters.Bucket.$"


def test_jsonata_arguments_in_reader_and_writer() -> None:
    r = gen(dmap(reader("getObject", {"Bucket": "data", "Key": "{% $states.input.key %}"},
                        jsonata=True, InputType="JSON"),
                 writer={"Resource": "arn:aws:states:::s3:putObject",
                         "Arguments": {"Bucket": "out", "Prefix": "{% $prefix %}"}},
                 jsonata=True))
    assert_policy(r, *CHILD, redrive(),
                  stmt("s3:GetObject", "arn:aws:s3:::data/*"),
                  stmt(["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload"], "arn:aws:s3:::out/*"))
    assert [w.parameter for w in r.warnings] == ["Arguments.Key", "Arguments.Prefix"]


def test_wildcard_characters_in_keys_are_escaped() -> None:
    r = gen(dmap(reader("getObject", {"Bucket": "data", "Key": "in/*.csv"}, InputType="CSV")))
    assert_policy(r, *CHILD, redrive(), stmt("s3:GetObject", "arn:aws:s3:::data/in/${*}.csv"))


def test_label_scopes_redrive() -> None:
    r = gen(dmap(writer={"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out"}}, Label="nightly"))
    assert_policy(r, *CHILD, redrive("nightly"),
                  stmt(["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload"], "arn:aws:s3:::out/*"))


def test_unknown_state_machine_falls_back_to_account_wildcard() -> None:
    r = generate_policy(dmap(), region=REGION, account=ACCOUNT)
    base = f"arn:aws:states:{REGION}:{ACCOUNT}"
    assert_policy(r, stmt("states:StartExecution", f"{base}:stateMachine:*"),
                  stmt(["states:DescribeExecution", "states:StopExecution"],
                       [f"{base}:execution:*:*", f"{base}:execution:*/*"]),
                  stmt("states:RedriveExecution", f"{base}:execution:*/*:*"))
    assert codes(r) == ["unknown-state-machine"]


def test_nested_distributed_maps_and_inline_map() -> None:
    inner = dmap()["States"]["Fan"]
    inner["ItemProcessor"]["States"] = {"Inline": {
        "Type": "Map", "End": True,
        "ItemProcessor": {"StartAt": "L", "States": {"L": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f"}, "End": True}}}}}
    inner["ItemProcessor"]["StartAt"] = "Inline"
    outer = dmap()
    outer["States"]["Fan"]["ItemProcessor"]["States"] = {"Inner": {**inner}}
    outer["States"]["Fan"]["ItemProcessor"]["StartAt"] = "Inner"
    r = gen(outer)
    assert_policy(r, *CHILD, redrive(),
                  stmt("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"))
    assert r.warnings == []


def test_reader_without_resource_is_a_definition_error() -> None:
    from sfn_iam.errors import DefinitionError

    with pytest.raises(DefinitionError, match="Fan > ItemReader"):
        gen(dmap(reader={"ReaderConfig": {"InputType": "CSV"}}))


def _writer(params: dict[str, Any]) -> dict[str, Any]:
    return {"Resource": "arn:aws:states:::s3:putObject", "Parameters": params}


WRITE = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]


@pytest.mark.parametrize(("read", "write", "expected"), [
    # bucket and key with placeholders: their static text stays
    (reader("getObject", {"Bucket": "src-${Env}", "Key": "in/${Day}.csv"}, InputType="CSV"),
     None, [stmt("s3:GetObject", "arn:aws:s3:::src-*/in/*.csv")]),
    (reader("getObject", {"Bucket": "src", "Key": "in/${Day}.csv"}, InputType="CSV"),
     None, [stmt("s3:GetObject", "arn:aws:s3:::src/in/*.csv")]),
    (reader("listObjectsV2", {"Bucket": "src-${Env}", "Prefix": "in/"}), None,
     [stmt("s3:ListBucket", "arn:aws:s3:::src-*", {"StringLike": {"s3:prefix": "in/"}}),
      stmt("s3:GetObject", "arn:aws:s3:::src-*/in/*")]),
    (reader("listObjectsV2", {"Bucket": "src", "Prefix": "in/${Day}/"}), None,
     [stmt("s3:ListBucket", "arn:aws:s3:::src"), stmt("s3:GetObject", "arn:aws:s3:::src/in/*/*")]),
    (None, _writer({"Bucket": "out-${Env}", "Prefix": "res/"}),
     [stmt(WRITE, "arn:aws:s3:::out-*/res/*")]),
    (None, _writer({"Bucket": "out", "Prefix": "res/${Day}/"}),
     [stmt(WRITE, "arn:aws:s3:::out/res/*/*")]),
    # a placeholder and nothing else: the whole name, as before
    (None, _writer({"Bucket": "${Out}", "Prefix": "res/"}), [stmt(WRITE, "arn:aws:s3:::*/*")]),
])
def test_partly_static_bucket_key_and_prefix(read: dict[str, Any] | None,
                                             write: dict[str, Any] | None,
                                             expected: list[dict[str, Any]]) -> None:
    r = gen(dmap(read, write))
    assert_policy(r, *expected, *CHILD, redrive())
    assert "dynamic-resource" in codes(r) and "unresolved-placeholder" in codes(r)
