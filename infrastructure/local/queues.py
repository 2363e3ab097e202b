"""SQS event source mappings on loopback: poll each queue a function subscribes to in template.yaml and
call the function with an SQS event, deleting only what it did not report as failed (as Lambda does)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infrastructure.local.lambda_adapter import LambdaContext


@dataclass(frozen=True)
class QueueSubscription:
    function: str  # logical id
    queue: str  # logical id
    batch_size: int


def sqs_subscriptions(template: dict[str, Any]) -> list[QueueSubscription]:
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in ((resource.get("Properties") or {}).get("Events") or {}).values():
            if event.get("Type") != "SQS":
                continue
            queue = event["Properties"]["Queue"]
            target = queue.get("Fn::GetAtt") if isinstance(queue, dict) else None
            name = (target[0] if isinstance(target, list) else str(target).split(".")[0]) if target else str(queue)
            found.append(QueueSubscription(logical_id, name, int(event["Properties"].get("BatchSize", 10))))
    return found


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }


class QueuePoller:
    """One thread per subscription; `stop()` ends them within a second."""

    def __init__(
        self,
        sqs: Any,
        handler: Callable[[dict[str, Any], Any], Any],
        function_name: str,
        queue_url: str,
        batch_size: int,
    ) -> None:
        self.sqs = sqs
        self.handler = handler
        self.function_name = function_name
        self.queue_url = queue_url
        self.batch_size = batch_size
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sqs-{function_name}", daemon=True)

    def start(self) -> QueuePoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def poll_once(self, wait_seconds: int = 1) -> int:
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        context = LambdaContext(
            function_name=self.function_name,
            invoked_function_arn=f"arn:aws:lambda:eu-west-2:123456789012:function:{self.function_name}",
            aws_request_id=str(uuid.uuid4()),
        )
        try:
            response = self.handler(sqs_event(received, self.queue_arn), context) or {}
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - a failed invocation leaves the whole batch on the queue
            failed = {message["MessageId"] for message in received}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return len(done)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - keep polling; moto may be stopping
                self._stopping.wait(1)
