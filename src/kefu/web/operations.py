"""The domain operations the console calls, named once here (a renamed service is a one-line change)."""

from __future__ import annotations

from kefu.accounts import service as accounts
from kefu.conversations import service as conversations
from kefu.customers import service as customers
from kefu.qa import service as qa

# accounts
log_in = accounts.log_in
log_out = accounts.log_out
authenticate_session = accounts.authenticate_session
describe_session = accounts.describe_session
change_password = accounts.change_password
update_profile = accounts.update_profile
list_agents = accounts.list_agents
list_teams = accounts.list_teams
list_team_ids_of_agent = accounts.list_team_ids_of_agent

# conversations
get_conversation = conversations.get_conversation
list_conversations = conversations.list_conversations
count_conversations = conversations.count_conversations
list_messages = conversations.list_messages
list_timeline = conversations.list_timeline
list_last_customer_messages = conversations.list_last_customer_messages
send_reply = conversations.send_reply
add_note = conversations.add_note
change_status = conversations.change_status
set_priority = conversations.set_priority
assign_conversation = conversations.assign_conversation
snooze_conversation = conversations.snooze_conversation
change_tags = conversations.change_tags

# customers
get_customer = customers.get_customer
list_customers_by_id = customers.list_customers_by_id

# quality inspection
access_evaluation = qa.access_evaluation
list_evaluation_turns = qa.list_evaluation_turns
list_reviews = qa.list_reviews
review_check = qa.review_check
review_queue = qa.review_queue
agent_report = qa.agent_report
team_report = qa.team_report
add_coaching_note = qa.add_coaching_note
list_coaching_notes = qa.list_coaching_notes
acknowledge_coaching_note = qa.acknowledge_coaching_note
list_digests = qa.list_digests
create_calibration = qa.create_calibration
get_calibration = qa.get_calibration
list_calibrations = qa.list_calibrations
score_calibration = qa.score_calibration
get_agent = accounts.get_agent
