"""Alerts: rules as data (alerts.toml), evaluation after each ingest round, the firing log,
and delivery by e-mail (SMTP), webhook and an Atom file; ``python -m alerts``.

Reads the news only through ``storage`` queries and writes only its own tables.
"""

from alerts.errors import AlertRulesError, AlertsError, DeliveryError
from alerts.rules import RuleSet, load_rules, resolve_rules_path
from alerts.run import RunReport, run_once, send_test

__all__ = [
    "AlertRulesError",
    "AlertsError",
    "DeliveryError",
    "RuleSet",
    "RunReport",
    "load_rules",
    "resolve_rules_path",
    "run_once",
    "send_test",
]
