"""The shipped complaint escalation rules: escalate only on explicit conditions.

The reports found 20 % of complaints escalated needlessly; their policy escalates a complaint to
a supervisor only when the amount is over 500 (in the workspace's currency) or it is the
customer's second or later complaint within 30 days. Two rules, so each firing names its reason;
the second stands down when the first has escalated (`conversation.escalated`).
"""

from __future__ import annotations

from kefu.automation.enums import ActionType, Operator, Trigger
from kefu.automation.schemas import RuleIn

ESCALATION_AMOUNT = 500
REPEAT_COUNT = 2
"""`customer.complaints_30d` counts this complaint too: 2 means a second complaint within 30 days."""

_COMPLAINT = {"field": "conversation.is_complaint", "op": Operator.EQ, "value": True}


def default_rules() -> list[RuleIn]:
    """The escalation rules a workspace gets from `POST /api/v1/complaints/default-rules/install`."""
    return [
        RuleIn.model_validate(
            {
                "name": "Escalate a complaint over 500 to a supervisor",
                "key": "complaints.escalate_amount",
                "position": 100,
                "triggers": [Trigger.COMPLAINT_MARKED],
                "conditions": {
                    "all": [
                        _COMPLAINT,
                        {"field": "conversation.escalated", "op": Operator.EQ, "value": False},
                        {
                            "field": "conversation.complaint_amount",
                            "op": Operator.GT,
                            "value": ESCALATION_AMOUNT,
                        },
                    ]
                },
                "actions": [
                    {"type": ActionType.ESCALATE, "priority": "high", "reason": "complaint_amount_over_500"}
                ],
            }
        ),
        RuleIn.model_validate(
            {
                "name": "Escalate a repeat complaint (2nd within 30 days) to a supervisor",
                "key": "complaints.escalate_repeat",
                "position": 101,
                "triggers": [Trigger.COMPLAINT_MARKED],
                "conditions": {
                    "all": [
                        _COMPLAINT,
                        {"field": "conversation.escalated", "op": Operator.EQ, "value": False},
                        {"field": "customer.complaints_30d", "op": Operator.GTE, "value": REPEAT_COUNT},
                    ]
                },
                "actions": [
                    {"type": ActionType.ESCALATE, "priority": "high", "reason": "repeat_complaint_30_days"}
                ],
            }
        ),
    ]
