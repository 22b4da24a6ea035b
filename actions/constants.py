"""Names shared by the domain, the actions and the tests."""

ACTION_ANSWER = "action_answer"
ACTION_MORE = "action_more"
ACTION_SOURCE = "action_source"
ACTION_HELP = "action_help"
ACTION_OUT_OF_SCOPE = "action_out_of_scope"
ACTION_DID_YOU_MEAN = "action_did_you_mean"
ACTION_CRISIS_HELP = "action_crisis_help"
ACTION_BAD_INPUT = "action_bad_input"
ACTION_START_OVER = "action_start_over"
ACTION_FORGET_ME = "action_forget_me"
ACTION_KEEP_CONVERSATION = "action_keep_conversation"
ACTION_CHECK_IN_DECLINED = "action_check_in_declined"
ACTION_CHECK_IN = "action_check_in"  # the answer action for an ambiguous message: the check-in question first
# The custom payload action_forget_me sends when it deletes: addons/tracker_store.py deletes the conversation of
# a turn that carries it, and the web widget clears its copy.
FORGET_ME_MARKER = "forget_me"

SLOT_DRUG = "drug"
SLOT_CONDITION = "condition"
SLOT_COUNTRY = "country"
SLOT_TOPIC = "topic"
SLOT_SHOWN_FACTS = "shown_facts"
SLOT_LAST_FACTS = "last_facts"
SLOT_LAST_QUESTION = "last_question"
SLOT_LAST_ABOUT = "last_about"

TOPIC_INTENT_PREFIX = "ask_"
INTENT_INFORM = "inform"
INTENT_PERSONAL_ADVICE = "ask_personal_advice"
INTENT_EMERGENCY = "emergency"
INTENT_CHECK_IN = "check_in"
INTENT_FORGET_ME = "forget_me"
INTENT_AFFIRM = "affirm"
INTENT_INFORM_COUNTRY = "inform_country"
# What the NLU guard found in an unreadable message ({"problem": ..., "language": ...}), in the parse output.
INPUT_CHECK = "input_check"
# The message's language as the NLU guard detected it ("en", "es"...), in the parse output: the actions read it
# instead of loading the language detector (160 MB) a second time in the action server.
MESSAGE_LANGUAGE = "message_language"
# What the intent classifier alone predicted, before the safety override (in the parse output): a check-in asked
# on the classifier's word alone opens with when to call the emergency number if it heard an emergency.
CLASSIFIER_INTENT = "classifier_intent"
