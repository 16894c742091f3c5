"""SLA: business calendars, SLA policies, applied SLAs and their warning / breach sweep."""
