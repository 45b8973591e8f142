"""Synthetic definitions for the benchmarks: a mix of Task integrations, Parallel and Map."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"


def task(i: int) -> dict[str, Any]:
    """The i-th Task: several integrations, static and dynamic values."""
    kind = i % 8
    if kind == 0:
        return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": f"fn-{i}", "Payload.$": "$"}}
    if kind == 1:
        return {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:legacy-{i}"}
    if kind == 2:
        return {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": f"table-{i}", "Item": {"pk": {"S.$": "$.id"}}}}
    if kind == 3:
        return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/q-{i}",
                               "MessageBody": {"token.$": "$$.Task.Token"}}}
    if kind == 4:
        return {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:topic-{i}",
                               "Message.$": "$.msg"}}
    if kind == 5:
        return {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn":
                               f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:child-{i}",
                               "Input.$": "$"}}
    if kind == 6:
        return {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {"Cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/c-{i}",
                               "TaskDefinition": f"td-{i}:1", "LaunchType": "FARGATE"}}
    return {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{"EventBusName": f"bus-{i}", "Detail.$": "$",
                                        "DetailType": "x", "Source": "y"}]}}


def definition(n_states: int, chunk: int = 10) -> dict[str, Any]:
    """About ``n_states`` states: chains of ``chunk`` states, every third chain in a Parallel
    (two branches) and every third in a Map, the rest at the top level."""
    counter = iter(range(10**9))
    top: dict[str, Any] = {}
    made = 0

    def chain(size: int) -> dict[str, Any]:
        nonlocal made
        states: dict[str, Any] = {}
        names = [f"S{next(counter)}" for _ in range(size)]
        for j, name in enumerate(names):
            body: dict[str, Any] = task(made) if made % 5 else {"Type": "Pass"}
            if j + 1 < len(names):
                body["Next"] = names[j + 1]
            else:
                body["End"] = True
            states[name] = body
            made += 1
        return {"StartAt": names[0], "States": states}

    order: list[str] = []
    c = 0
    while made < n_states:
        name = f"Block{c}"
        if c % 3 == 1:
            made += 1
            top[name] = {"Type": "Parallel", "Branches": [chain(chunk // 2), chain(chunk // 2)]}
        elif c % 3 == 2:
            made += 1
            top[name] = {"Type": "Map", "ItemsPath": "$.items",
                         "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **chain(chunk)}}
        else:
            sub = chain(chunk)
            top.update(sub["States"])
            order.append(name)
            c += 1
            continue
        order.append(name)
        c += 1
    # link the top level loosely (the generator does not follow Next)
    return {"Comment": f"synthetic, {made} states", "StartAt": next(iter(top)), "States": top}


def text(n_states: int) -> str:
    return json.dumps(definition(n_states))
