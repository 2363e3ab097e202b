"""One Logger, Metrics and Tracer for every function (Powertools).

Logs carry references (ids, claim references), never names, emails or dates of birth.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Most page views publish no business metric; an empty flush is normal, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
metrics = Metrics()
tracer = Tracer()
