"""Automation: rules (trigger, conditions, actions), macros, follow-up tasks, notifications, hand-offs."""
