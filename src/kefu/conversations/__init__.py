"""Conversations (= tickets, 工单): messages, internal notes, tags, custom fields and the timeline."""
