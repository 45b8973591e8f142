"""Amazon S3 in a Distributed Map: the ``ItemReader`` (``s3:getObject``, ``s3:listObjectsV2``)
and the ``ResultWriter`` (``s3:putObject``). CURRENT-DOCS §4.4-§4.5 (IAM policies for using
Distributed Map states, iam-policies-eg-dist-map.html). These resources are valid only in a
Map state's reader and writer; the walker hands them here as ``MapName > ItemReader``.

Bucket, key and prefix are written into ARNs as literals (IAM wildcard and policy-variable
characters escaped), so an object key such as ``data/*.csv`` cannot widen a grant.
"""

from __future__ import annotations

from sfn_iam.params import DYNAMIC, Value, split_placeholders
from sfn_iam.rules import RR_ONLY, Res, Rule, dynamic_res, escape, g
from sfn_iam.task import Task

DOC = "iam-policies-eg-dist-map.html"
S3 = "arn:{partition}:s3:::"


def _static(t: Task, v: Value, what: str) -> str | None:
    text = v.text
    if text is None:
        t.finding("malformed-value", f"{what} should be a non-empty string", v.where)
    return text


def _partly(v: Value) -> str | None:
    """The pattern of a partly static value, its ``${Name}`` placeholders left
    (``src-${Env}`` -> ``src-*``, ``in/${Day}.csv`` -> ``in/*.csv``): the static text as IAM
    literals, ``*`` for each placeholder. None for any other value, or when nothing static is
    left. (Bucket names, keys and prefixes are plain text in the resource part of the ARN, so
    a placeholder stands for its own place only.)"""
    if v.kind != DYNAMIC or v.value.__class__ is not str:
        return None
    pattern = "*".join(escape(p) for p in split_placeholders(v.value)[::2])
    while "**" in pattern:
        pattern = pattern.replace("**", "*")
    return None if pattern == "*" else pattern


def _partial_res(t: Task, v: Value, template: str, **names: str) -> Res:
    """The dynamic resource of the partly static value ``v`` (a warning names it)."""
    return Res(t.fmt(template, **names), v.where, True, v.reason, v.expr)


def _bucket(t: Task) -> tuple[Value, str | None]:
    v = t.value("Bucket")
    if v.absent:
        t.finding("missing-parameter", f"{t.integration} needs Bucket; no permission granted",
                  v.where)
        return v, None
    return v, (None if v.dynamic else _static(t, v, "Bucket"))


def object_arn(t: Task) -> list[Res]:
    """``s3:getObject``: the one object (CSV, JSON, JSONL, Parquet file, or a manifest)."""
    bv, bucket = _bucket(t)
    if bv.absent:
        return []
    kv = t.value("Key")
    if bucket is None:
        pattern = _partly(bv)
        if pattern is None:
            return [dynamic_res(t, bv, S3 + "*/*")]
        key = kv.text if kv.static else None
        return [_partial_res(t, bv, S3 + "{b}/{k}", b=pattern,
                             k=escape(key) if key else _partly(kv) or "*")]
    if kv.absent:
        t.finding("missing-parameter", "s3:getObject needs Key; no permission granted", kv.where)
        return []
    if kv.dynamic:
        pattern = _partly(kv)
        if pattern is not None:
            return [_partial_res(t, kv, S3 + "{b}/{k}", b=escape(bucket), k=pattern)]
        return [dynamic_res(t, kv, S3 + "{b}/*", b=escape(bucket))]
    key = _static(t, kv, "Key")
    if key is None:
        return [dynamic_res(t, kv, S3 + "{b}/*", b=escape(bucket))]
    return [Res(t.fmt(S3 + "{b}/{k}", b=escape(bucket), k=escape(key)), kv.where)]


def manifest_data(t: Task) -> list[Res]:
    """The data files a manifest lists. S3 Inventory: ``.../CONFIG/DATE/manifest.json`` lists
    ``.../CONFIG/data/*``. Athena data manifest: the files are wherever the query wrote them,
    usually the same bucket: ``bucket/*`` and a warning."""
    if not _is_manifest(t):
        return []
    _, bucket = _bucket(t)
    kv = t.value("Key")
    if bucket is None or not kv.static or not isinstance(kv.value, str):
        return []  # the object grant is already the dynamic bucket/* form
    manifest_type = _reader_config(t, "ManifestType")
    parts = kv.value.split("/")
    if manifest_type.static and manifest_type.value == "S3_INVENTORY" and len(parts) >= 3:
        prefix = "/".join(escape(p) for p in parts[:-2])
        return [Res(t.fmt(S3 + "{b}/{p}/data/*", b=escape(bucket), p=prefix), kv.where)]
    # Athena (or another) data manifest: the files it lists are known only at run time; the
    # usual place is the manifest's own bucket (the warning says to add any other).
    return [Res(t.fmt(S3 + "{b}/*", b=escape(bucket)), kv.where, True,
                "the list of data files in the manifest (add any other bucket it names)",
                kv.value)]


def _is_manifest(t: Task) -> bool:
    return bool(_reader_config(t, "InputType").value == "MANIFEST")


def _reader_config(t: Task, *path: str) -> Value:
    # ReaderConfig sits beside Resource/Parameters in the ItemReader, not inside them.
    node = t.ref.body.get("ReaderConfig")
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return Value("static" if node is not None else "absent", "ReaderConfig." + ".".join(path),
                 node)


def versioned(t: Task) -> list[Res]:
    """``VersionId`` reads a specific version: ``s3:GetObjectVersion`` on the object too."""
    return object_arn(t) if not t.value("VersionId").absent else []


def bucket_arn(t: Task) -> list[Res]:
    bv, bucket = _bucket(t)
    if bv.absent:
        return []
    if bucket is None:
        pattern = _partly(bv)
        if pattern is not None:
            return [_partial_res(t, bv, S3 + "{b}", b=pattern)]
        return [dynamic_res(t, bv, S3 + "*")]
    return [Res(t.fmt(S3 + "{b}", b=escape(bucket)), bv.where)]


def prefix_condition(t: Task) -> dict[str, dict[str, str]] | None:
    """``s3:prefix`` as the reader lists it (the doc's form: the prefix itself, no ``*``)."""
    v = t.value("Prefix")
    if v.static and isinstance(v.value, str) and v.value:
        return {"StringLike": {"s3:prefix": escape(v.value)}}
    return None


def prefix_objects(t: Task) -> list[Res]:
    bv, bucket = _bucket(t)
    if bv.absent:
        return []
    v = t.value("Prefix")
    if bucket is None:
        pattern = _partly(bv)
        if pattern is None:
            return [dynamic_res(t, bv, S3 + "*/*")]
        prefix = v.value if v.static and isinstance(v.value, str) else ""
        return [_partial_res(t, bv, S3 + "{b}/{p}*", b=pattern,
                             p=escape(prefix) if prefix else _partly(v) or "")]
    if v.dynamic:
        pattern = _partly(v)
        if pattern is not None:
            return [_partial_res(t, v, S3 + "{b}/{p}*", b=escape(bucket), p=pattern)]
        return [dynamic_res(t, v, S3 + "{b}/*", b=escape(bucket))]
    prefix = v.value if v.static and isinstance(v.value, str) else ""
    return [Res(t.fmt(S3 + "{b}/{p}*", b=escape(bucket), p=escape(prefix)), bv.where)]


def results_prefix(t: Task) -> list[Res]:
    """``ResultWriter``: everything under ``Bucket/Prefix/`` (``manifest.json`` and the
    ``SUCCEEDED_n.json`` ... files of each map run)."""
    bv, bucket = _bucket(t)
    if bv.absent:
        return []
    v = t.value("Prefix")
    if bucket is None:
        pattern = _partly(bv)
        if pattern is None:
            return [dynamic_res(t, bv, S3 + "*/*")]
        return [_partial_res(t, bv, S3 + "{b}/{p}", b=pattern, p=_results_path(v))]
    if v.dynamic:
        pattern = _partly(v)
        if pattern is not None:
            return [_partial_res(t, v, S3 + "{b}/{p}", b=escape(bucket), p=_results_path(v))]
        return [dynamic_res(t, v, S3 + "{b}/*", b=escape(bucket))]
    return [Res(t.fmt(S3 + "{b}/{p}", b=escape(bucket), p=_results_path(v)), bv.where)]


def _results_path(v: Value) -> str:
    """What the ResultWriter writes under, in the bucket: ``PREFIX/*`` (the prefix static or
    partly static), ``*`` when there is none or it is dynamic."""
    if v.static and isinstance(v.value, str):
        prefix = escape(v.value.strip("/"))
    else:
        pattern = _partly(v)
        prefix = pattern.strip("/") if pattern is not None else ""
    return prefix + "/*" if prefix else "*"


RULES = {
    "getObject": Rule(RR_ONLY, (
        g("s3:GetObject", object_arn),
        g("s3:GetObjectVersion", versioned,
          note="VersionId reads that version of the object"),
        g("s3:GetObject", manifest_data),
    ), DOC),
    "listObjectsV2": Rule(RR_ONLY, (
        g("s3:ListBucket", bucket_arn, condition=prefix_condition),
        # The doc generates GetObject under the prefix too: LOAD_AND_FLATTEN reads each
        # listed object, and children commonly read the items they are given.
        g("s3:GetObject", prefix_objects),
    ), DOC),
    "putObject": Rule(RR_ONLY, (
        g(("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
           "s3:AbortMultipartUpload"), results_prefix),
    ), DOC),
}
