"""Amazon Athena: ``athena:startQueryExecution`` (request-response, ``.sync``),
``athena:stopQueryExecution``, ``athena:getQueryExecution``, ``athena:getQueryResults``
(request-response). Template: athena-iam.md, with the current ``.sync`` action list
(CURRENT-DOCS §3.4; https://docs.aws.amazon.com/step-functions/latest/dg/connect-athena.html).

StartQueryExecution is authorised on the workgroup (``WorkGroup``) and every data catalog;
the query itself reads and writes S3 and the Glue Data Catalog, which the template grants on
``arn:aws:s3:::*`` and the account's Glue catalog, databases, tables and functions, plus
``lakeformation:GetDataAccess`` on ``*``. The other three APIs take only a query execution
id, so the template grants them on every workgroup.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Res,
    Resolver,
    Rule,
    dynamic_res,
    escape,
    fixed,
    g,
    malformed,
)
from sfn_iam.task import Task

DOC = "connect-athena.html"

WORKGROUP = "arn:{partition}:athena:{region}:{account}:workgroup/{name}"
ANY_WORKGROUP = "arn:{partition}:athena:{region}:{account}:workgroup/*"
DATACATALOGS = "arn:{partition}:athena:{region}:{account}:datacatalog/*"

_WORKGROUP_NAME = LazyPattern(r"^[A-Za-z0-9._-]{1,128}$")

START_RR = ("athena:StartQueryExecution", "athena:GetDataCatalog")
# The 2023 template's .sync list is StartQueryExecution, StopQueryExecution,
# GetQueryExecution, GetDataCatalog. The current template (CURRENT-DOCS §3.4) adds
# GetWorkGroup, BatchGetQueryExecution, GetQueryResults and ListQueryExecutions, which the
# .sync poller now calls; we follow the current list.
START_SYNC = (
    *START_RR,
    "athena:StopQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetWorkGroup",
    "athena:BatchGetQueryExecution",
    "athena:GetQueryResults",
    "athena:ListQueryExecutions",
)

S3_ACTIONS = (
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
    "s3:CreateBucket",
    "s3:PutObject",
)
GLUE_ACTIONS = (
    "glue:CreateDatabase",
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:UpdateDatabase",
    "glue:DeleteDatabase",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetTable",
    "glue:GetTables",
    "glue:DeleteTable",
    "glue:BatchDeleteTable",
    "glue:BatchCreatePartition",
    "glue:CreatePartition",
    "glue:UpdatePartition",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:DeletePartition",
    "glue:BatchDeletePartition",
)
GLUE_RESOURCES = (
    "arn:{partition}:glue:{region}:{account}:catalog",
    "arn:{partition}:glue:{region}:{account}:database/*",
    "arn:{partition}:glue:{region}:{account}:table/*",
    "arn:{partition}:glue:{region}:{account}:userDefinedFunction/*",
)


def workgroup(t: Task) -> list[Res]:
    """The workgroup the query runs in, and every data catalog (as the template)."""
    catalogs = Res(t.fmt(DATACATALOGS))
    v = t.value("WorkGroup")
    if v.absent:
        # The template shows [[workGroup]] and says nothing of a missing one: Athena runs a
        # query without WorkGroup in the "primary" workgroup, so that is the resource IAM sees.
        return [Res(t.fmt(WORKGROUP, name="primary"), v.where), catalogs]
    if v.dynamic:
        return [dynamic_res(t, v, ANY_WORKGROUP), catalogs]
    name = v.text
    if name is None or not _WORKGROUP_NAME.match(name):
        wild = malformed(t, v, f"WorkGroup {v.value!r} is not an Athena workgroup name "
                         "([A-Za-z0-9._-]{1,128})", ANY_WORKGROUP)
        return [*wild, catalogs] if wild else []  # refused: nothing for the query at all
    return [Res(t.fmt(WORKGROUP, name=escape(name)), v.where), catalogs]


def _many(*templates: str) -> Resolver:
    def resolve(t: Task) -> list[Res]:
        return [Res(t.fmt(tpl)) for tpl in templates]

    return resolve


_S3 = g(S3_ACTIONS, fixed("arn:{partition}:s3:::*"), when=RR_SYNC)
_GLUE = g(GLUE_ACTIONS, _many(*GLUE_RESOURCES), when=RR_SYNC)
# "*": the Service Authorization Reference lists no resource type for GetDataAccess. The S3
# and Glue grants are on what the query reads and writes, which the definition cannot show.
_LAKEFORMATION = g("lakeformation:GetDataAccess", fixed("*"), when=RR_SYNC)

RULES = {
    "startQueryExecution": Rule(
        RR_SYNC,
        (
            # One grant per pattern (not RR + a .sync extra) so that a dynamic WorkGroup is
            # reported once per state.
            g(START_RR, workgroup, when=RR_ONLY),
            g(START_SYNC, workgroup, when=ONLY_SYNC),
            _S3,
            _GLUE,
            _LAKEFORMATION,
        ),
        DOC,
    ),
    "stopQueryExecution": Rule(
        RR_ONLY, (g("athena:StopQueryExecution", fixed(ANY_WORKGROUP)),), DOC
    ),
    "getQueryExecution": Rule(
        RR_ONLY, (g("athena:GetQueryExecution", fixed(ANY_WORKGROUP)),), DOC
    ),
    "getQueryResults": Rule(
        RR_ONLY,
        (
            g("athena:GetQueryResults", fixed(ANY_WORKGROUP)),
            g("s3:GetObject", fixed("arn:{partition}:s3:::*")),
        ),
        DOC,
    ),
}
