"""Configuration as pydantic models: the only place that reads the environment.

`template.yaml` sets every variable below on the functions; the local stack sets the same names.
Field names match the environment variable names (case-insensitive).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_templates_path() -> Path:
    # Locally the templates sit beside the package; in the Lambda layer both live in /opt/python.
    return _PROJECT_ROOT / "templates"


class Tables(BaseModel):
    """DynamoDB table names (one per `*_TABLE` variable)."""

    model_config = ConfigDict(frozen=True)

    organisations_table: str
    providers_table: str
    users_table: str
    memberships_table: str
    sessions_table: str
    claim_windows_table: str
    mentors_table: str
    school_mentors_table: str
    claims_table: str
    allowances_table: str
    claim_events_table: str
    funding_rates_table: str
    batches_table: str
    download_tokens_table: str
    journeys_table: str
    idempotency_table: str
    rate_limits_table: str
    activity_table: str
    counters_table: str
    directory_table: str


class Settings(Tables):
    """Everything a function needs to know about where it runs."""

    environment: str = "local"
    aws_region: str = Field(default="eu-west-2")
    aws_endpoint_url: str | None = None
    files_bucket: str = ""
    email_queue_url: str = ""
    exports_queue_url: str = ""  # "Download claims (CSV)": each export is a message (ADR 0021)
    school_imports_queue_url: str = ""  # School data: each import of GIAS's extract is a message (ADR 0026)
    mentor_names_queue_url: str = ""  # the weekly names refresh: each mentor's TRN is a message (ADR 0037)
    claim_window_state_machine_arn: str = ""
    audit_state_machine_arn: str = ""  # the audit workflow (ADR 0031)
    clawback_run_state_machine_arn: str = ""  # the clawback run (ADR 0034)
    audit_chaser_seconds: int = 7 * 24 * 3600  # the audit workflow's wait between weekly chasers
    scheduler_role_arn: str = ""
    schedule_group_name: str = ""
    schedule_dead_letter_queue_arn: str = ""
    sign_in_method: Literal["persona", "dfe-sign-in"] = "dfe-sign-in"
    service_url: str = "http://127.0.0.1:3000"
    zendesk_host: str = "becomingateacher.zendesk.com"  # a claim's ticket link must be on this host
    dfe_sign_in_issuer_url: str = ""
    dfe_sign_in_client_id: str = ""
    dfe_sign_in_client_secret: str = ""
    teaching_record_base_url: str = ""
    # GIAS's public downloads (the nightly extract, ADR 0035) and the Publish teacher training API (ADR 0036)
    gias_base_url: str = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public"
    publish_base_url: str = "https://api.publish-teacher-training-courses.service.gov.uk"
    teaching_record_api_key: str = ""
    notify_base_url: str = ""
    notify_api_key: str = ""
    notify_callback_token: str = ""  # the bearer token Notify sends with delivery receipts (ADR 0038); a secret in AWS
    payer_email_addresses: str = ""
    support_email_domains: str = "education.gov.uk"  # a support user's address must be on one (comma-separated)
    secrets_arn: str = ""
    session_idle_minutes: int = 120
    session_lifetime_hours: int = 12  # a session ends this long after sign-in, however active (ADR 0040)
    review_timeout_seconds: int = 7 * 24 * 3600  # how long a payment run waits for a support review
    service_unavailable: bool = False  # switch on to show the GOV.UK "service unavailable" page (503)
    persona_user_ids: str = ""
    cookie_secure: bool = True
    templates_path: Path = Field(default_factory=_default_templates_path)

    @field_validator("aws_endpoint_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None

    @property
    def persona_sign_in_enabled(self) -> bool:
        """Persona sign-in exists only where it was configured on purpose (never by default)."""
        return self.sign_in_method == "persona" and self.environment != "production"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    source = os.environ if environ is None else environ
    values = {key.lower(): value for key, value in source.items() if key.lower() in Settings.model_fields}
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process, validated once at cold start."""
    return load_settings()
