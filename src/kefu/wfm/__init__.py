"""Workforce management: contact-volume forecasts, Erlang staffing and shift schedules."""
