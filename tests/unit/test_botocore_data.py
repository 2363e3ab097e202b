"""PynamoDB's connections share botocore's data loader (ADR 0043): botocore's JSON is read once a process."""

from __future__ import annotations

import pynamodb.connection.base as pynamodb_connection
from pynamodb.connection import Connection

from shared.data.botocore_data import session_with_shared_data, share_botocore_data
from shared.usecases.startup import configure


def test_sessions_are_separate_but_share_one_data_loader() -> None:
    # Given two sessions made as PynamoDB's connections now make them
    first, second = session_with_shared_data(), session_with_shared_data()
    # Then each is its own session, reading botocore's data through the same loader
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")


def test_after_start_up_every_pynamodb_connection_shares_the_loader() -> None:
    # Given a function's start-up (every handler module calls configure() at import)
    configure()
    share_botocore_data()  # idempotent
    assert pynamodb_connection.get_session is session_with_shared_data  # type: ignore[attr-defined]
    # When two models' connections (one per table, as PynamoDB makes them) build their sessions
    loaders = {id(Connection(region="eu-west-2").session.get_component("data_loader")) for _ in range(3)}
    # Then they read botocore's data files through one loader, so each file is parsed once
    assert len(loaders) == 1
