"""Template values for other readers of a template, such as the audit's role reader: the
template readers' own :class:`~sfn_iam.sources.cloudformation.Resolver` and resource table
(:mod:`sfn_iam.sources.resource_types`), so that the role and the definition read the same
``!GetAtt Worker.Arn`` the same way.

What the readers know only at deploy time is never guessed: a deploy-time value (a parameter
without a default, ``Fn::ImportValue``, SSM) is a ``${...}`` placeholder, as in the readers;
a name generated at deploy time (a resource without its name property), an unknown region or
account, which the readers carry as tokens, become ``${...}`` placeholders too
(``${Worker generated name}``, ``${AWS::Region}``, ``${AWS::AccountId}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfn_iam.sources import ACCOUNT_TOKEN, REGION_TOKEN, Context, token_re

if TYPE_CHECKING:
    from collections.abc import Callable

    from sfn_iam.sources import StateMachine

__all__ = ["machine_context", "template_context", "template_resolver"]


def template_context(file: str, *, region: str | None = None, account: str | None = None,
                     partition: str | None = None,
                     parameters: dict[str, str] | None = None) -> Context:
    """A fresh :class:`~sfn_iam.sources.Context` for ``file``, as the readers make one."""
    return Context(file, region=region, account=account, partition=partition,
                   parameters=parameters)


def machine_context(machine: StateMachine) -> Context | None:
    """The context a state machine was read with (its region, account, partition,
    ``--parameter`` values and the deploy-time names met), when it was read from a template."""
    return machine._context


def template_resolver(template: dict[str, Any], context: Context) -> Callable[[Any], Any]:
    """``resolve(value) -> value``: the template functions of ``value`` evaluated over
    ``template`` the way the readers evaluate a definition (lenient: a name the template does
    not declare is a deploy-time value), then each token made a ``${...}`` placeholder.
    ``AWS::NoValue`` at the top gives None. Raises
    :class:`~sfn_iam.errors.DefinitionError` on a template error (an unknown function, a
    circular reference)."""
    from sfn_iam.sources.cloudformation import _NO_VALUE, Resolver

    resolver = Resolver(template if isinstance(template, dict) else {}, context, lenient=True)
    pattern = token_re(context.account)

    def label(token: str) -> str:
        if token == REGION_TOKEN:
            return "${AWS::Region}"
        if token == ACCOUNT_TOKEN:
            return "${AWS::AccountId}"
        key = next((k for k, t in context._by_key.items() if t == token), "deploy-time")
        return "${" + (key if key.startswith("AWS::") else key + " generated name") + "}"

    def untoken(node: Any) -> Any:
        if isinstance(node, str):
            return pattern.sub(lambda m: label(m.group(0)), node) if pattern.search(node) \
                else node
        if isinstance(node, dict):
            return {untoken(k): untoken(v) for k, v in node.items()}
        if isinstance(node, list):
            return [untoken(v) for v in node]
        return node

    def resolve(value: Any) -> Any:
        out = resolver.value(value)
        return None if out is _NO_VALUE else untoken(out)

    return resolve
