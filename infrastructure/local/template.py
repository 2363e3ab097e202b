"""Read `template.yaml` so the local stack and the tests build exactly what AWS gets.

The SAM template is the single description of the deployment. Locally there is no CloudFormation that
understands SAM (moto ignores the transform, `DefinitionSubstitutions` and API bodies), so this module reads the
template itself and answers the questions the local stack and the test suites ask:

- which DynamoDB tables exist, keyed by the environment variable that names them (`table_definitions`);
- which function answers which API path and method (`api_routes`);
- where each function's code and handler live (`function_handlers`) and its environment (`function_environment`);
- which ASL file each state machine uses, with which substitutions (`state_machines`, `apply_substitutions`).

CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...) are read into their long form
(`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, ...), which is also what `aws-sam-translator` expects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Route",
    "TableSpec",
    "api_routes",
    "apply_substitutions",
    "function_environment",
    "function_handlers",
    "load_template",
    "placeholders",
    "state_machines",
    "table_definitions",
]

_FUNCTION_TYPE = "AWS::Serverless::Function"
_TABLE_TYPE = "AWS::DynamoDB::Table"
_STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine"

# `${Name}` placeholders of a DefinitionSubstitutions-style string (not `$.path` or `$$.Context`).
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")


class _CloudFormationLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation short-form tags and keeps dates as strings.

    CloudFormation reads `AWSTemplateFormatVersion: 2010-09-09` as a string, so timestamps are not resolved.
    """


_CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - PyYAML has only these three node kinds
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{tag_suffix}", node.start_mark)

    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


yaml.add_multi_constructor("!", _construct_short_form, Loader=_CloudFormationLoader)


def load_template(path: str | Path) -> dict[str, Any]:
    """Read a CloudFormation/SAM template (YAML or JSON) with short-form tags turned into long form."""
    with Path(path).open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict):
        raise TypeError(f"{path} is not a CloudFormation template (top level is not a mapping)")
    return document


@dataclass(frozen=True)
class TableSpec:
    """One DynamoDB table as the template defines it.

    `create_kwargs` are keyword arguments for boto3 `create_table`; `ttl_attribute` is the attribute to pass to
    `update_time_to_live` afterwards, or None when the table has no TTL.
    """

    create_kwargs: dict[str, Any]
    ttl_attribute: str | None


@dataclass(frozen=True)
class Route:
    """An API Gateway route of a function: a SAM `Api` event (method upper-case, `ANY` for any method)."""

    function: str
    path: str
    method: str


def _resources(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources", {})
    if not isinstance(resources, dict):
        raise TypeError("template Resources is not a mapping")
    return {logical_id: resource for logical_id, resource in resources.items() if isinstance(resource, dict)}


def _resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in _resources(template).items()
        if resource.get("Type") == resource_type
    }


def _properties(resource: Mapping[str, Any]) -> dict[str, Any]:
    properties = resource.get("Properties", {})
    return properties if isinstance(properties, dict) else {}


def _global_function_properties(template: Mapping[str, Any]) -> dict[str, Any]:
    globals_section = template.get("Globals", {})
    if not isinstance(globals_section, dict):
        return {}
    function_globals = globals_section.get("Function", {})
    return function_globals if isinstance(function_globals, dict) else {}


def _variables(properties: Mapping[str, Any]) -> dict[str, Any]:
    environment = properties.get("Environment", {})
    if not isinstance(environment, dict):
        return {}
    variables = environment.get("Variables", {})
    return dict(variables) if isinstance(variables, dict) else {}


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        return value["Ref"]
    return None


def function_environment(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's environment variables as written: Globals first, the function's own on top (as SAM merges)."""
    functions = _resources_of_type(template, _FUNCTION_TYPE)
    if logical_id not in functions:
        raise KeyError(f"no {_FUNCTION_TYPE} named {logical_id}")
    merged = _variables(_global_function_properties(template))
    merged.update(_variables(_properties(functions[logical_id])))
    return merged


def _table_env_vars(template: Mapping[str, Any], table_ids: set[str]) -> dict[str, str]:
    """Environment variable name → table logical id, from every `NAME: !Ref SomeTable` the functions get."""
    sources = [_variables(_global_function_properties(template))]
    sources += [_variables(_properties(function)) for function in _resources_of_type(template, _FUNCTION_TYPE).values()]
    env_vars: dict[str, str] = {}
    for variables in sources:
        for name, value in variables.items():
            target = _ref_target(value)
            if target in table_ids:
                previous = env_vars.setdefault(name, target)
                if previous != target:
                    raise ValueError(f"{name} names two tables: {previous} and {target}")
    return env_vars


def _key_schema(raw: Any) -> list[dict[str, str]]:
    return [{"AttributeName": key["AttributeName"], "KeyType": key["KeyType"]} for key in raw]


def _projection(raw: Mapping[str, Any]) -> dict[str, Any]:
    projection = raw.get("Projection", {"ProjectionType": "ALL"})
    return dict(projection)


def _create_kwargs(properties: Mapping[str, Any], table_name: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "KeySchema": _key_schema(properties["KeySchema"]),
        "AttributeDefinitions": [
            {
                "AttributeName": attribute["AttributeName"],
                "AttributeType": attribute["AttributeType"],
            }
            for attribute in properties["AttributeDefinitions"]
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    global_indexes = properties.get("GlobalSecondaryIndexes") or []
    if global_indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["IndexName"],
                "KeySchema": _key_schema(index["KeySchema"]),
                "Projection": _projection(index),
            }
            for index in global_indexes
        ]
    local_indexes = properties.get("LocalSecondaryIndexes") or []
    if local_indexes:
        kwargs["LocalSecondaryIndexes"] = [
            {
                "IndexName": index["IndexName"],
                "KeySchema": _key_schema(index["KeySchema"]),
                "Projection": _projection(index),
            }
            for index in local_indexes
        ]
    return kwargs


def _ttl_attribute(properties: Mapping[str, Any]) -> str | None:
    ttl = properties.get("TimeToLiveSpecification")
    if isinstance(ttl, dict) and ttl.get("Enabled") is True and isinstance(ttl.get("AttributeName"), str):
        return str(ttl["AttributeName"])
    return None


def table_definitions(template: Mapping[str, Any], name_for: Callable[[str], str]) -> dict[str, TableSpec]:
    """Every DynamoDB table that a function is told about, keyed by its environment variable.

    `name_for(logical_id)` gives the physical table name to create (CloudFormation generates one in AWS).
    Tables are always on-demand (PAY_PER_REQUEST), as in the template.
    """
    tables = _resources_of_type(template, _TABLE_TYPE)
    definitions: dict[str, TableSpec] = {}
    for env_var, logical_id in sorted(_table_env_vars(template, set(tables)).items()):
        properties = _properties(tables[logical_id])
        definitions[env_var] = TableSpec(
            create_kwargs=_create_kwargs(properties, name_for(logical_id)),
            ttl_attribute=_ttl_attribute(properties),
        )
    return definitions


def api_routes(template: Mapping[str, Any]) -> list[Route]:
    """Every SAM `Api` event of every function, in template order."""
    routes: list[Route] = []
    for logical_id, function in _resources_of_type(template, _FUNCTION_TYPE).items():
        events = _properties(function).get("Events") or {}
        for event in events.values():
            if not isinstance(event, dict) or event.get("Type") != "Api":
                continue
            event_properties = event.get("Properties", {})
            routes.append(
                Route(
                    function=logical_id,
                    path=str(event_properties["Path"]),
                    method=str(event_properties["Method"]).upper(),
                )
            )
    return routes


@dataclass(frozen=True)
class GatewayResponse:
    """One of API Gateway's own answers as the template configures it (x-amazon-apigateway-gateway-responses)."""

    status: int
    headers: dict[str, str]
    body: str


_GATEWAY_DEFAULT_STATUS = {"DEFAULT_5XX": 502, "DEFAULT_4XX": 400}


def _rest_api(template: Mapping[str, Any]) -> Mapping[str, Any]:
    apis = list(_resources_of_type(template, "AWS::Serverless::Api").values())
    return _properties(apis[0]) if apis else {}


def gateway_responses(template: Mapping[str, Any]) -> dict[str, GatewayResponse]:
    """The API's gateway responses by type (REQUEST_TOO_LARGE, DEFAULT_5XX...), their static header values unquoted."""
    body = _rest_api(template).get("DefinitionBody") or {}
    found: dict[str, GatewayResponse] = {}
    for name, response in (body.get("x-amazon-apigateway-gateway-responses") or {}).items():
        headers = {
            key.removeprefix("gatewayresponse.header."): str(value).strip("'")
            for key, value in (response.get("responseParameters") or {}).items()
            if key.startswith("gatewayresponse.header.")
        }
        templates = response.get("responseTemplates") or {}
        status = int(response.get("statusCode", _GATEWAY_DEFAULT_STATUS.get(name, 500)))
        found[name] = GatewayResponse(status, headers, str(templates.get("text/html", "")))
    return found


def binary_media_types(template: Mapping[str, Any]) -> frozenset[str]:
    """The API's binary media types ("multipart/form-data"), written in the template with ~1 for /."""
    return frozenset(str(t).replace("~1", "/").lower() for t in _rest_api(template).get("BinaryMediaTypes") or [])


def function_handlers(template: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Function logical id → (CodeUri, Handler), falling back to Globals.Function as SAM does."""
    defaults = _global_function_properties(template)
    handlers: dict[str, tuple[str, str]] = {}
    for logical_id, function in _resources_of_type(template, _FUNCTION_TYPE).items():
        properties = _properties(function)
        code_uri = properties.get("CodeUri", defaults.get("CodeUri"))
        handler = properties.get("Handler", defaults.get("Handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            raise TypeError(f"{logical_id} needs a local CodeUri path and a Handler")
        handlers[logical_id] = (code_uri, handler)
    return handlers


def state_machines(
    template: Mapping[str, Any],
) -> dict[str, tuple[str, dict[str, Any]]]:
    """State machine logical id → (DefinitionUri, DefinitionSubstitutions as written, e.g. `{"Fn::GetAtt": ...}`)."""
    machines: dict[str, tuple[str, dict[str, Any]]] = {}
    for logical_id, machine in _resources_of_type(template, _STATE_MACHINE_TYPE).items():
        properties = _properties(machine)
        definition_uri = properties.get("DefinitionUri")
        if not isinstance(definition_uri, str):
            raise TypeError(f"{logical_id} needs a local DefinitionUri path")
        substitutions = properties.get("DefinitionSubstitutions") or {}
        machines[logical_id] = (definition_uri, dict(substitutions))
    return machines


def placeholders(definition: str) -> set[str]:
    """The `${Name}` placeholders used in an ASL document's text."""
    return set(_PLACEHOLDER.findall(definition))


def apply_substitutions(definition: str, values: Mapping[str, str]) -> str:
    """Replace `${Name}` placeholders by plain string replacement, as Step Functions does at deployment.

    Raises KeyError naming every placeholder that `values` does not cover.
    """
    missing = placeholders(definition) - set(values)
    if missing:
        raise KeyError(f"no substitution for {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], definition)
