"""One Logger, Metrics and Tracer for every function (Powertools).

Logs carry references (ids, claim references), never names, emails or dates of birth.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()
