"""The alerts core: open, close, read alerts (contract: see the module `service.alerts.store`).

Shared by monitoring (rescreens), review (decisions), web pages and payments.
"""

from service.alerts.models import Alert, AlertEvent, AlertPage
from service.alerts.store import (
    CLOSED,
    OPEN,
    AlertError,
    close_alert,
    get_alert,
    list_alerts,
    open_alert,
    webhook_view,
)
from service.alerts.tables import alert_events, alerts

__all__ = [
    "CLOSED",
    "OPEN",
    "Alert",
    "AlertError",
    "AlertEvent",
    "AlertPage",
    "alert_events",
    "alerts",
    "close_alert",
    "get_alert",
    "list_alerts",
    "open_alert",
    "webhook_view",
]
