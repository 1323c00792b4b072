"""Webhooks on SQLite and PostgreSQL with a real receiver on 127.0.0.1: signing, retries with
backoff, no redirects followed, giving up, surviving a restart, http(s) only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import update

from lists.store import Store
from service.webhooks.delivery import DeliveryOptions, DeliveryWorker
from service.webhooks.outbox import enqueue_event
from service.webhooks.signing import signature, verify
from service.webhooks.subscriptions import (
    WebhookError,
    add_webhook,
    list_deliveries,
    list_webhooks,
    remove_webhook,
)
from service.webhooks.tables import webhook_deliveries
from tests.monitoring_support import Receiver

SECRET = "test-secret-0123456789"
FAST = DeliveryOptions(timeout=5, backoff_base=60, backoff_max=120, give_up_after=3600, poll=0.1)


@pytest.fixture
def store(db_url: str) -> Any:
    store = Store(db_url)
    yield store
    store.close()


@pytest.fixture
def receiver() -> Any:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def make_due(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(webhook_deliveries).values(next_attempt_at=webhook_deliveries.c.created_at))


def deliveries(store: Store, webhook_id: str) -> list[Any]:
    return list_deliveries(store.engine, webhook_id).items


def test_signature_lets_receivers_verify_and_reject_replays() -> None:
    body = b'{"id":"e1"}'
    stamp = str(int(time.time()))
    header = signature(SECRET, stamp, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(SECRET, stamp, body, header)
    assert not verify(SECRET, stamp, body + b" ", header)  # body changed
    assert not verify("other-secret-000000", stamp, body, header)
    assert not verify(SECRET, str(int(stamp) - 3600), body, signature(SECRET, str(int(stamp) - 3600), body))
    assert not verify(SECRET, "not-a-number", body, header)


def test_urls_events_and_secrets_are_checked(store: Store) -> None:
    for url, field in (
        ("ftp://127.0.0.1/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http:///nohost", "has no host"),
        ("https://user:pw@example.com/", "credentials"),
        ("http://[::1/hook", "not a valid URL"),  # urlsplit's own ValueError: was a 500 over HTTP
        ("http://example.com:99999/", "not a valid URL"),
        ("http://example.com:x/", "not a valid URL"),
    ):
        with pytest.raises(WebhookError, match=field):
            add_webhook(store.engine, url, ["alert.created"], SECRET)
    with pytest.raises(WebhookError, match=r"events: unknown 'alert\.deleted'"):
        add_webhook(store.engine, "https://example.com/", ["alert.deleted"], SECRET)
    with pytest.raises(WebhookError, match="secret: at least 16"):
        add_webhook(store.engine, "https://example.com/", ["alert.created"], "short")


def test_delivery_signed_retried_and_survives_a_restart(store: Store, receiver: Receiver) -> None:
    hook = add_webhook(store.engine, receiver.url, ["alert.created", "list.updated"], SECRET)
    other = add_webhook(store.engine, receiver.url + "/other", ["rescreen.finished"], SECRET)
    event_id = enqueue_event(store.engine, "alert.created", {"alert": {"id": "a1"}})
    receiver.status = 500
    worker = DeliveryWorker(store.engine, FAST)
    try:
        assert worker.run_due() == 1
        (first,) = deliveries(store, hook.webhook_id)
        assert first.state == "pending" and first.attempts == 1 and first.last_status == 500
        assert (
            first.next_attempt_at is not None
            and (first.next_attempt_at - first.last_attempt_at).total_seconds() > 40
        )
        assert worker.run_due() == 0  # not due yet: backoff
    finally:
        worker.stop()
    assert deliveries(store, other.webhook_id) == []  # not subscribed to alert.created
    # A new worker (a restarted server) takes over the pending delivery.
    receiver.status = 200
    make_due(store)
    restarted = DeliveryWorker(store.engine, FAST)
    try:
        assert restarted.run_due() == 1
    finally:
        restarted.stop()
    (done,) = deliveries(store, hook.webhook_id)
    assert done.state == "delivered" and done.attempts == 2 and done.last_status == 200
    assert len(receiver.requests) == 2
    for request in receiver.requests:  # the same event, signed each time
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["x-sanctions-event-id"] == event_id == request.json()["id"]
        assert verify(
            SECRET, headers["x-sanctions-timestamp"], request.body, headers["x-sanctions-signature"]
        )
        assert request.json()["type"] == "alert.created" and request.json()["data"] == {"alert": {"id": "a1"}}
    assert list_webhooks(store.engine)[0].delivered == 1


def test_redirects_are_not_followed_and_old_deliveries_give_up(store: Store, receiver: Receiver) -> None:
    hook = add_webhook(store.engine, receiver.url, ["list.updated"], SECRET)
    enqueue_event(store.engine, "list.updated", {"list": "ofac"})
    receiver.status = 302
    worker = DeliveryWorker(store.engine, DeliveryOptions(timeout=5, give_up_after=0, poll=0.1))
    try:
        worker.run_due()
    finally:
        worker.stop()
    (delivery,) = deliveries(store, hook.webhook_id)
    assert delivery.state == "failed" and delivery.last_status == 302
    assert "redirect" in delivery.last_error and "not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_removing_a_webhook_drops_its_pending_deliveries(store: Store) -> None:
    hook = add_webhook(store.engine, "http://127.0.0.1:9/never", ["list.updated"], SECRET)
    enqueue_event(store.engine, "list.updated", {"list": "un"})
    assert remove_webhook(store.engine, hook.webhook_id)
    assert not remove_webhook(store.engine, hook.webhook_id)
    (delivery,) = deliveries(store, hook.webhook_id)
    assert delivery.state == "failed" and delivery.last_error == "the webhook was removed"
    enqueue_event(store.engine, "list.updated", {"list": "un"})
    assert len(deliveries(store, hook.webhook_id)) == 1  # no new delivery for a removed webhook
    assert list_webhooks(store.engine) == []
