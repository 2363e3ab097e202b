"""The whole system on one machine: moto as AWS, the real handlers in-process, fakes for the rest.

Everything is created from `template.yaml`: tables (with their key schemas, indexes and TTL), the
bucket, the queues, one moto Lambda function per SAM function (run in-process by the adapter), the
state machines (with `DefinitionSubstitutions` applied) and the API routes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import socket
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "eu-west-2"
ACCOUNT = "123456789012"
PREFIX = "local"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def resource_name(logical_id: str) -> str:
    return f"{PREFIX}-{logical_id}"


def function_module(code_uri: str, handler: str) -> tuple[str, str]:
    """`functions/web/` + `app.lambda_handler` → (`functions.web.app`, `lambda_handler`)."""
    module, _, attribute = handler.rpartition(".")
    package = code_uri.strip("/").replace("/", ".")
    return f"{package}.{module}", attribute


@dataclass
class LocalStack:
    """Start with `start()`; `environment` holds what the handlers read. Stop with `stop()`."""

    web_port: int = 3000
    moto_port: int = 0
    host: str = "127.0.0.1"
    today: dt.date | None = None
    log: Callable[[str], None] = print
    environment: dict[str, str] = field(default_factory=dict)
    function_names: dict[str, str] = field(default_factory=dict)
    state_machine_arns: dict[str, str] = field(default_factory=dict)
    persona_user_ids: list[str] = field(default_factory=list)
    _servers: list[Any] = field(default_factory=list)
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> LocalStack:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
        from infrastructure.local.moto_dynamodb import (
            answer_attribute_values_directly,
            back_up_touched_items_only,
            index_queries_by_partition,
            parse_update_expressions_once,
            serialise_dynamodb,
        )

        serialise_dynamodb()
        back_up_touched_items_only()
        index_queries_by_partition()  # a Query reads its partition, not the whole table
        answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
        parse_update_expressions_once()  # and parses each update expression once (ADR 46)

        from infrastructure.local.template import load_template

        template = load_template(TEMPLATE)
        self.moto_port = self.moto_port or free_port(self.host)
        moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        moto.start()
        self._servers.append(moto)
        endpoint = f"http://{self.host}:{self.moto_port}"
        self._post(f"{endpoint}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})

        teaching_record, notify = self._start_fakes()
        self.environment = self._environment(template, endpoint, teaching_record, notify)
        os.environ.update(self.environment)
        from shared.config import settings

        settings.cache_clear()
        self._create_resources(template)
        self._start_queue_pollers(template)
        self._start_api(template)
        return self

    def stop(self) -> None:
        self._exit.close()
        for server in reversed(self._servers):
            with contextlib.suppress(Exception):
                if isinstance(server, ThreadingHTTPServer):
                    server.shutdown()
                    server.server_close()
                else:
                    server.stop()
        self._servers.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- pieces -----------------------------------------------------------------------------
    def _start_fakes(self) -> tuple[ThreadingHTTPServer, ThreadingHTTPServer]:
        from infrastructure.local.fake_notify import CALLBACK_TOKEN, SentEmails, notify_server
        from infrastructure.local.fakes import teaching_record_server
        from infrastructure.local.seed_data import build_seed_data

        data = build_seed_data(self._today())
        self.sent_emails = SentEmails()
        teaching_record = teaching_record_server(data.teachers, self.host)
        # Notify's delivery receipts come back to the service's callback route, as in AWS (ADR 0038)
        notify = notify_server(
            self.sent_emails, self.host, callback_url=f"{self.url}/notify/callback", callback_token=CALLBACK_TOKEN
        )
        self._servers += [teaching_record, notify, *self._start_reference_data_fakes(data)]
        return teaching_record, notify

    def _start_reference_data_fakes(self, data: Any) -> list[ThreadingHTTPServer]:
        """GIAS's downloads and Publish's API (ADRs 0035, 0036): the demo's schools and providers as they list them."""
        from infrastructure.local.fake_gias import demo_extract, every_day, gias_server
        from infrastructure.local.fake_publish import demo_providers, publish_server

        schools, providers = data.schools, demo_providers(data.providers)
        self.fake_gias = gias_server(every_day(lambda: demo_extract(schools), self._today), self.host)
        self.fake_publish = publish_server(lambda _year: providers, self.host)
        return [self.fake_gias, self.fake_publish]

    def _today(self) -> dt.date:
        return self.today or dt.datetime.now(dt.UTC).date()

    def _environment(
        self, template: dict[str, Any], endpoint: str, teaching_record: ThreadingHTTPServer, notify: ThreadingHTTPServer
    ) -> dict[str, str]:
        from infrastructure.local.fake_notify import CALLBACK_TOKEN as NOTIFY_CALLBACK_TOKEN
        from infrastructure.local.fakes import API_KEY
        from infrastructure.local.template import table_definitions

        tables = table_definitions(template, resource_name)
        env = {name: spec.create_kwargs["TableName"] for name, spec in tables.items()}
        env.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "MOTO_PORT": str(self.moto_port),
                "ENVIRONMENT": "local",
                "FILES_BUCKET": resource_name("FilesBucket").lower(),
                "SIGN_IN_METHOD": "persona",
                "SERVICE_URL": self.url,
                "TEACHING_RECORD_BASE_URL": f"http://{self.host}:{teaching_record.server_address[1]}",
                "TEACHING_RECORD_API_KEY": API_KEY,
                "GIAS_BASE_URL": f"http://{self.host}:{self.fake_gias.server_address[1]}/edubase/downloads/public",
                "PUBLISH_BASE_URL": f"http://{self.host}:{self.fake_publish.server_address[1]}",
                "NOTIFY_BASE_URL": f"http://{self.host}:{notify.server_address[1]}",
                "NOTIFY_API_KEY": "local-" + "a" * 36 + "-" + "b" * 36,
                "NOTIFY_CALLBACK_TOKEN": NOTIFY_CALLBACK_TOKEN,
                "PAYER_EMAIL_ADDRESSES": "payments@payer.example.gov.uk",
                "SUPPORT_EMAIL_DOMAINS": "education.gov.uk",
                "COOKIE_SECURE": "true",
                "POWERTOOLS_SERVICE_NAME": "claim-funding-for-mentors",
                "POWERTOOLS_METRICS_NAMESPACE": "ClaimFundingForMentors",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
                # An audit's "week" between chasers (ADR 0031): two minutes here, so a demo sees it through
                "AUDIT_CHASER_SECONDS": os.environ.get("AUDIT_CHASER_SECONDS", "120"),
            }
        )
        return env

    def _create_resources(self, template: dict[str, Any]) -> None:
        from infrastructure.local.demo_claims import load_paid_claims
        from infrastructure.local.lambda_adapter import in_process_lambdas
        from infrastructure.local.seed import load, persona_ids

        provisioned = provision(template, resource_name, self.environment["FILES_BUCKET"])
        self.function_names = provisioned.function_names
        self.state_machine_arns = provisioned.state_machine_arns
        self.registry = provisioned.registry
        self.environment.update(provisioned.environment)
        self._exit.enter_context(in_process_lambdas(provisioned.registry))
        os.environ.update(self.environment)

        from shared.config import settings
        from shared.data.items import bind_tables

        settings.cache_clear()
        bind_tables(settings())
        data = load(self._today(), scheduled=True)
        self.demo_claims = load_paid_claims(data)  # last year's, paid: what an audit samples
        self.persona_user_ids = persona_ids(data)
        self.environment["PERSONA_USER_IDS"] = ",".join(self.persona_user_ids)
        os.environ.update(self.environment)
        settings.cache_clear()

    def _start_queue_pollers(self, template: dict[str, Any]) -> None:
        import boto3

        from infrastructure.local.queues import QueuePoller, sqs_subscriptions

        sqs = boto3.client("sqs", region_name=REGION)
        for subscription in sqs_subscriptions(template):
            queue_url = sqs.get_queue_url(QueueName=resource_name(subscription.queue))["QueueUrl"]
            name = self.function_names[subscription.function]
            poller = QueuePoller(sqs, self.registry.handler(name), name, queue_url, subscription.batch_size).start()
            self._exit.callback(poller.stop)

    def _start_api(self, template: dict[str, Any]) -> None:
        from infrastructure.local.api import LocalApi, serve
        from infrastructure.local.template import api_routes, binary_media_types, gateway_responses

        api = LocalApi(
            api_routes(template),
            self.registry,
            self.function_names,
            REGION,
            gateway_responses=gateway_responses(template),
            binary_types=binary_media_types(template),
        )
        self._servers.append(serve(api, self.host, self.web_port, self._request_log))

    def _request_log(self, line: str) -> None:
        if os.environ.get("LOCAL_API_LOG"):
            self.log(line)

    @staticmethod
    def _post(url: str, body: dict[str, Any]) -> None:
        request = Request(
            url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        with urlopen(request, timeout=10) as response:
            response.read()


@dataclass
class Provisioned:
    function_names: dict[str, str]
    state_machine_arns: dict[str, str]
    registry: Any
    environment: dict[str, str]


def provision(template: dict[str, Any], name_for: Callable[[str], str], files_bucket: str) -> Provisioned:
    """Create in the current AWS (moto server, or `mock_aws` in tests) everything the template
    describes that the code uses: tables, bucket, queues, functions and state machines."""
    import boto3

    from infrastructure.local.lambda_adapter import HandlerRegistry
    from infrastructure.local.template import apply_substitutions, function_handlers, state_machines, table_definitions

    session = boto3.session.Session(region_name=REGION)
    dynamodb = session.client("dynamodb")
    for spec in table_definitions(template, name_for).values():
        dynamodb.create_table(**spec.create_kwargs)
        if spec.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=spec.create_kwargs["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
    session.client("s3").create_bucket(Bucket=files_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    sqs = session.client("sqs")
    dlq = sqs.create_queue(QueueName=name_for("EmailDeadLetterQueue"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName=name_for("EmailQueue"),
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})},
    )["QueueUrl"]
    exports_queue = _queue_with_dead_letters(sqs, template, name_for, "ExportsQueue", "ExportsDeadLetterQueue")
    school_imports_queue = _queue_with_dead_letters(
        sqs, template, name_for, "SchoolImportsQueue", "SchoolImportsDeadLetterQueue"
    )
    mentor_names_queue = _queue_with_dead_letters(
        sqs, template, name_for, "MentorNamesQueue", "MentorNamesDeadLetterQueue"
    )

    statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    role = session.client("iam").create_role(RoleName=name_for("LambdaRole"), AssumeRolePolicyDocument=trust)
    role_arn = role["Role"]["Arn"]
    lambda_client = session.client("lambda")
    registry = HandlerRegistry()
    function_arns: dict[str, str] = {}
    function_names: dict[str, str] = {}
    for logical_id, (code_uri, handler) in function_handlers(template).items():
        name = name_for(logical_id)
        module, attribute = function_module(code_uri, handler)
        registry.register(name, module, attribute)
        function_arns[logical_id] = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=handler,
            Code={"ZipFile": _placeholder_zip(module)},
            Timeout=30,
        )["FunctionArn"]
        function_names[logical_id] = name

    sfn = session.client("stepfunctions")
    machines: dict[str, str] = {}
    for logical_id, (definition_uri, substitutions) in state_machines(template).items():
        values = {key: _resolve(value, function_arns) for key, value in substitutions.items()}
        definition = apply_substitutions((ROOT / definition_uri).read_text(), values)
        machines[logical_id] = sfn.create_state_machine(
            name=name_for(logical_id), definition=definition, roleArn=role_arn, type="STANDARD"
        )["stateMachineArn"]
    environment = {
        "EMAIL_QUEUE_URL": queue,
        "EXPORTS_QUEUE_URL": exports_queue,
        "SCHOOL_IMPORTS_QUEUE_URL": school_imports_queue,
        "MENTOR_NAMES_QUEUE_URL": mentor_names_queue,
    }
    if "ClaimWindowStateMachine" in machines:
        environment["CLAIM_WINDOW_STATE_MACHINE_ARN"] = machines["ClaimWindowStateMachine"]
    if "AuditStateMachine" in machines:
        environment["AUDIT_STATE_MACHINE_ARN"] = machines["AuditStateMachine"]
    if "ClawbackRunStateMachine" in machines:
        environment["CLAWBACK_RUN_STATE_MACHINE_ARN"] = machines["ClawbackRunStateMachine"]

    # Claim windows' close schedules: moto keeps them (CRUD only, they never fire; see
    # infrastructure/local/schedules.py to fire one by hand).
    group = name_for("ClaimWindowScheduleGroup")
    session.client("scheduler").create_schedule_group(Name=group)
    scheduler_trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    scheduler_role = session.client("iam").create_role(
        RoleName=name_for("ClaimWindowSchedulerRole"), AssumeRolePolicyDocument=scheduler_trust
    )
    environment["SCHEDULE_GROUP_NAME"] = group
    environment["SCHEDULER_ROLE_ARN"] = scheduler_role["Role"]["Arn"]
    # The template's own schedules (the nightly check), kept like the windows' ones: fire them by hand.
    targets = {**function_arns, **machines}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Scheduler::Schedule":
            continue
        properties = resource["Properties"]
        target = properties["Target"]
        session.client("scheduler").create_schedule(
            Name=name_for(logical_id),
            GroupName=group,
            ScheduleExpression=properties["ScheduleExpression"],
            ScheduleExpressionTimezone=properties.get("ScheduleExpressionTimezone", "UTC"),
            FlexibleTimeWindow=properties["FlexibleTimeWindow"],
            Target={
                "Arn": _resolve(target["Arn"], targets),
                "RoleArn": scheduler_role["Role"]["Arn"],
                "Input": target.get("Input", "{}"),
            },
        )
    return Provisioned(function_names, machines, registry, environment)


def _queue_with_dead_letters(
    sqs: Any, template: dict[str, Any], name_for: Callable[[str], str], queue_id: str, dead_letters_id: str
) -> str:
    """A queue of the template with its dead-letter queue, its redrive (maxReceiveCount) and visibility timeout
    as the template gives them; its URL."""
    properties = template["Resources"][queue_id]["Properties"]
    dlq = sqs.create_queue(QueueName=name_for(dead_letters_id))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(properties["RedrivePolicy"]["maxReceiveCount"])}
    attributes = {"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": str(properties["VisibilityTimeout"])}
    url: str = sqs.create_queue(QueueName=name_for(queue_id), Attributes=attributes)["QueueUrl"]
    return url


def _resolve(value: Any, function_arns: dict[str, str]) -> str:
    """The values the template uses: `Fn::GetAtt [Function, Arn]`, `Ref` to a known resource, or a plain string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        logical_id = target[0] if isinstance(target, list) else str(target).split(".")[0]
        return function_arns[logical_id]
    if isinstance(value, dict) and "Ref" in value and value["Ref"] in function_arns:
        return function_arns[value["Ref"]]
    raise ValueError(f"cannot resolve substitution {value!r} locally")


def _placeholder_zip(module: str) -> bytes:
    """moto wants a code package; the adapter runs `module` from this checkout instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", f"Runs in-process from {module}\n")
    return buffer.getvalue()


@contextlib.contextmanager
def running(**kwargs: Any) -> Iterator[LocalStack]:
    stack = LocalStack(**kwargs).start()
    try:
        yield stack
    finally:
        stack.stop()
