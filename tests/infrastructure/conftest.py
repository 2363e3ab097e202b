"""Fixtures for the infrastructure suite: the template as written, and as SAM translates it (offline)."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from infrastructure.local.template import load_template
from tests.support import isolated_suite

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
REGION = "eu-west-2"


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    """No moto state or environment from another suite (tests.support.isolated_suite)."""
    with isolated_suite():
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml with short-form tags in long form. Tests must not mutate it."""
    return load_template(TEMPLATE_PATH)


def packaged(template: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """What `sam build && sam package` hand to CloudFormation, without building or uploading anything.

    Local CodeUri/ContentUri become S3 locations; a state machine's DefinitionUri file is inlined as
    `Definition` (so the translation shows exactly what Step Functions gets, placeholders included).
    """
    result = copy.deepcopy(template)
    for logical_id, resource in result["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and isinstance(properties.get("CodeUri"), str):
            properties["CodeUri"] = f"s3://artifacts/{properties['CodeUri'].strip('/')}.zip"
        elif resource["Type"] == "AWS::Serverless::LayerVersion" and isinstance(properties.get("ContentUri"), str):
            properties["ContentUri"] = f"s3://artifacts/{logical_id}.zip"
        elif resource["Type"] == "AWS::Serverless::StateMachine" and isinstance(properties.get("DefinitionUri"), str):
            definition_path = root / properties.pop("DefinitionUri")
            properties["Definition"] = json.loads(definition_path.read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="session")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template SAM produces, translated in-process with no AWS account and no network.

    The region comes from the environment (as for `sam validate`); sockets are disabled only while translating.
    """
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        """Stands in for ManagedPolicyLoader, which lists IAM policies through the AWS API (only .load is used).

        The template names no managed policy by bare name, so nothing needs looking up.
        """

        def load(self) -> dict[str, str]:
            return {}

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"the SAM translation tried to use the network: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_REGION", REGION)
        patch.setattr(socket.socket, "connect", no_network)
        patch.setattr(socket, "create_connection", no_network)
        result: dict[str, Any] = transform(packaged(template), {}, cast("ManagedPolicyLoader", NoManagedPolicies()))
    return result


@pytest.fixture(scope="session")
def resources(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(translated["Resources"])


@pytest.fixture(scope="session")
def asl_path(template: dict[str, Any]) -> Path:
    return ROOT / str(template["Resources"]["ClaimWindowStateMachine"]["Properties"]["DefinitionUri"])


@pytest.fixture(scope="session")
def asl(asl_path: Path) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(asl_path.read_text(encoding="utf-8"))
    return definition
