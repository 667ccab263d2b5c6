"""The Twilio error codes staff meet, in plain words: code -> (title, what happened, what to do next).

Only the data; `errors.py` turns an entry into an Explanation with Twilio's page for the
code (https://www.twilio.com/docs/errors/<code>). Each meaning was checked against that
page; docs/twilio-reference.md ("Error codes the console explains") lists them with their
sources. A code is added here only once its meaning is confirmed: an unknown code still
gets Twilio's page. Next steps name the console's own pages and actions.
"""

CODES: dict[int, tuple[str, str, str]] = {
    # REST API (20xxx) -------------------------------------------------------------------
    # The Content API answers a bad template body, approval name or category, and a
    # template already submitted for approval, with this code.
    20001: (
        "Twilio refused the template's details",
        "Twilio did not accept a value: the template's body or variables, the approval name or the category.",
        "Correct the value Twilio's message names and try again.",
    ),
    20003: (
        "Twilio refused the console's credentials",
        "Authentication failed: the account SID or auth token the console uses is wrong or was rotated.",
        "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the console's environment, restart it, then retry.",
    ),
    20004: (
        "Method not allowed",
        "Twilio does not support this HTTP method for the resource (e.g. deleting something that cannot be deleted).",
        "Nothing staff can fix: tell the admin, with the record and the time, as the console sent a request "
        "Twilio does not support.",
    ),
    20404: (
        "Not found on Twilio",
        "Twilio no longer has this record: it was deleted there, or never existed.",
        "Use Pull from Twilio to refresh the console's copy.",
    ),
    20429: (
        "Too many requests",
        "Twilio asked the console to slow down. The request was not carried out, so trying again is safe.",
        "A push is retried by the console itself; an action you ran (e.g. creating a template) can be run "
        "again now. If it keeps failing, wait a minute, then use Retry failed or run it again.",
    ),
    20500: (
        "Twilio had an internal error",
        "Twilio's API failed while handling the request; it may or may not have been carried out.",
        "A push is retried by the console, which checks Twilio before creating again; after an action you ran "
        "(e.g. creating a template), look on Twilio whether it happened before running it again. If it keeps "
        "failing, check Twilio's status page, then use Retry failed.",
    ),
    20503: (
        "Twilio is temporarily unavailable",
        "The Twilio service the console called was temporarily unavailable.",
        "A push is retried with back-off by the console; an action you ran can be run again in a minute. If it "
        "keeps failing, check Twilio's status page, then use Retry failed.",
    ),
    # Messaging requests (21xxx) -----------------------------------------------------------
    21211: (
        "Invalid phone number",
        "Twilio does not accept this phone number.",
        "Check the number: E.164 format with the country code, e.g. +14155550100, then retry.",
    ),
    21408: (
        "SMS to this country not enabled",
        "The Twilio account is not permitted to send SMS to the country of this number.",
        "Ask the admin to enable SMS to that country in the Twilio account's messaging permissions, then Resend.",
    ),
    21606: (
        "Not a phone number of this Twilio account",
        "Twilio only accepts the account's own numbers here: this one was never bought or ported in, was "
        "released, or belongs to another account.",
        "Pick one of the account's numbers on the Address configurations page (the list comes from Twilio), "
        "or buy or port the number in Twilio's console first.",
    ),
    21610: (
        "The person opted out (STOP)",
        "This person texted STOP (or another opt-out word) to this business number; Twilio blocks that "
        "number's messages to them.",
        "Do not retry. They can opt in again by texting START to the same number; otherwise reach them another way.",
    ),
    21614: (
        "Not a mobile number",
        "The number is not a valid mobile number: most likely a landline, or mistyped.",
        "Ask the person for a mobile number and correct it on the participant (E.164, e.g. +14155550100).",
    ),
    # Conversations answers a body over the SMS/WhatsApp limit 201 and fails the receipt of each
    # SMS/WhatsApp participant with this code; chat participants get the message.
    21617: (
        "Message text too long for SMS/WhatsApp",
        "The text is over the 1,600 characters SMS and WhatsApp carry (emoji and other non-GSM "
        "characters count more), so it did not go to this phone; chat participants may still have it.",
        "Send it again shortened, or split over several messages: Resend would fail the same way.",
    ),
    21655: (
        "Unknown template (ContentSid)",
        "The template SID (HX...) does not name a template of this Twilio account: mistyped, deleted, "
        "or from another account.",
        "Use Sync templates from Twilio, pick a template that exists, then send again.",
    ),
    21656: (
        "Template variables refused",
        "The template's variables (ContentVariables) are not valid: not a JSON object, or a value is missing or empty.",
        "Fill in every variable of the template, then send again.",
    ),
    21910: (
        "Sender and recipient on different channels",
        "From and To must use the same channel: both SMS numbers, or both whatsapp: addresses.",
        "Use a sender of the person's channel (a WhatsApp sender for whatsapp: addresses), then retry.",
    ),
    # Carrier delivery (30xxx) -------------------------------------------------------------
    30003: (
        "Phone unreachable",
        "The carrier could not reach the phone: it is off, out of signal or roaming, or cannot receive SMS.",
        "Often temporary: use Resend later. If it keeps failing, confirm the number with the person.",
    ),
    30004: (
        "Message blocked",
        "The destination is blocked from receiving this message: an opt-out, the carrier's filtering, "
        "or a number that cannot receive SMS.",
        "Confirm with the person that they can receive messages from you (opted in, mobile number), then Resend.",
    ),
    # Meanings of 30005, 30007 and 30008: secondary sources, as Twilio names them.
    30005: (
        "Unknown number",
        "The carrier does not know this number: it is unknown, inactive or no longer in service.",
        "Check the number with the person and correct it; resending to the same number will not help.",
    ),
    30006: (
        "Landline or unreachable carrier",
        "The number cannot receive this message: it is a landline, or the carrier cannot be reached from this sender.",
        "Ask the person for a mobile number; do not resend to the same number.",
    ),
    30007: (
        "Filtered by the carrier",
        "The carrier or Twilio filtered the message as unwanted (spam-like content or a non-compliant sender).",
        "Do not resend the same text. Reword it (no link shorteners, say who you are) and tell the admin "
        "if many messages fail this way.",
    ),
    30008: (
        "Unknown delivery error",
        "The carrier rejected the message without saying why.",
        "Use Resend. If it fails again, note the message SID and the time for Twilio support.",
    ),
    # Conversations (50xxx) ----------------------------------------------------------------
    50353: (
        "Conversation unique name already used",
        "Another conversation on Twilio already has this unique name.",
        "Use Pull from Twilio: the console finds and adopts an earlier attempt; otherwise choose another unique name.",
    ),
    50361: (
        "Too many conversation webhooks",
        "A conversation can have at most five scoped webhooks; this would have been a sixth.",
        "Remove an old webhook from the conversation, or use the service-wide webhooks instead.",
    ),
    50375: (
        "Inactive timer too short",
        "The timer to inactive must be at least 1 minute.",
        "Set Timers.Inactive to 1 minute or more (e.g. PT10M), then retry.",
    ),
    50376: (
        "Closed timer too short",
        "The timer to closed must be at least 10 minutes.",
        "Set Timers.Closed to 10 minutes or more (e.g. P1D), then retry.",
    ),
    50377: (
        "Conversation is closed",
        "The conversation is in its final closed state (closed by staff or by its timer) and cannot change any more.",
        "Start a new conversation; a closed one cannot be reopened.",
    ),
    50379: (
        "Inactive timer badly formed",
        "The timer to inactive must be an ISO-8601 duration.",
        "Write Timers.Inactive as an ISO-8601 duration such as PT10M or P1D, then retry.",
    ),
    50380: (
        "Closed timer badly formed",
        "The timer to closed must be an ISO-8601 duration.",
        "Write Timers.Closed as an ISO-8601 duration such as PT10M or P1D, then retry.",
    ),
    50382: (
        "Timers sent without a state",
        "A conversation was created with timers but without the state they start from; Twilio needs both together.",
        "Nothing for staff to fix by hand: tell the admin, with the record, as the console always sends the "
        "state with timers. Then retry.",
    ),
    50384: (
        "A new conversation cannot start closed",
        "A conversation can only be created active or inactive; 'closed' is refused at creation.",
        "Create it active (or inactive) and close it afterwards if needed; then retry.",
    ),
    50390: (
        "Unique name looks like a conversation SID",
        "The unique name has the shape of a conversation SID (CH followed by 32 hex characters), "
        "which Twilio refuses because the name can stand in for the SID.",
        "Choose another unique name (e.g. order-A123), then retry.",
    ),
    50407: (
        "Invalid messaging address",
        "The address is not one Twilio can message: SMS needs an E.164 number, WhatsApp the whatsapp: prefix.",
        "Check the address is E.164 (e.g. +14155550100) and WhatsApp ones start with whatsapp:, then retry.",
    ),
    50416: (
        "Number pair already in another open conversation",
        "This person's address already talks to the same business number in another conversation "
        "that is not closed. Twilio routes replies by that pair, so only one open conversation may hold it.",
        "Close that other conversation, or remove the participant from it, then retry.",
    ),
    50417: (
        "Too many participants in the conversation",
        "A conversation holds at most 1,000 participants; this one would have been over the limit.",
        "Remove participants who no longer take part (or start a new conversation), then retry.",
    ),
    50418: (
        "Too many SMS/WhatsApp participants",
        "A conversation holds at most 50 SMS/WhatsApp participants (chat ones aside); this would have been one more.",
        "Remove phone participants who no longer take part, or split them over several conversations, then retry.",
    ),
    50433: (
        "Participant already in the conversation",
        "A chat participant with this identity is already in the conversation.",
        "Use Pull from Twilio: the console adopts the existing participant; or remove it first.",
    ),
    # The Chat family's code, which the simulator answers for a body over the 32 KB chat limit.
    50504: (
        "Message text too long",
        "The message body is over the 32 KB Twilio keeps for a conversation message.",
        "Shorten the text (or send it as a file), then send it again.",
    ),
    # WhatsApp and other channels (63xxx) --------------------------------------------------
    63003: (
        "Recipient address not found",
        "Twilio could not use the To address: it is mistyped, badly formatted, or not an active user of the channel.",
        "Check the address (whatsapp:+E.164) with the person, correct the participant, then retry.",
    ),
    63005: (
        "WhatsApp did not accept the content",
        "The channel refused what was sent: the person may not have a valid WhatsApp account, or a media "
        "file was refused.",
        "Check that the person uses WhatsApp on this number and that any attachment opens; then Resend.",
    ),
    63007: (
        "Sender not set up on Twilio",
        "The address is not a WhatsApp (or other channel) sender of this Twilio account, or it is still "
        "waiting for approval; the shared WhatsApp Sandbox number is never one (it cannot auto-create "
        "conversations).",
        "Pick one of the account's senders on the Address configurations page (the list comes from Twilio), "
        "or finish the sender's registration in Twilio's console; for the Sandbox use Sandbox senders instead.",
    ),
    63013: (
        "WhatsApp policy violation",
        "The message breaks WhatsApp's policy. It also happens when more than 4 spaces in a row fill a "
        "template variable.",
        "Check the text and the template variables (no long runs of spaces), then send again.",
    ),
    63014: (
        "The person blocked this sender or withdrew consent",
        "On WhatsApp the person blocked this business sender, or stopped its marketing messages (then only "
        "marketing templates fail); Twilio delivers nothing of this kind from this sender to them.",
        "Do not resend. Treat them as opted out on this sender and send them no marketing templates from it; "
        "reach them again only if they write to you, or through another channel they agreed to.",
    ),
    63016: (
        "Outside the WhatsApp 24-hour window",
        "WhatsApp only delivers free-form messages within 24 hours of the customer's last message.",
        "Send an approved template (content SID HX...) instead; free text works again once the customer replies.",
    ),
    63018: (
        "WhatsApp sending limit reached",
        "The sender went over its rate or WhatsApp's messaging limit for business-initiated conversations.",
        "Wait (up to 24 hours for WhatsApp's limit), then use Resend; send fewer new conversations at once.",
    ),
    63021: (
        "WhatsApp refused the content",
        "The channel does not accept this content: e.g. a template message over 1,024 characters or an "
        "unsupported media type.",
        "Shorten the template variables or change the attachment, then send again.",
    ),
    63024: (
        "Not a valid WhatsApp recipient",
        "Meta treats the person as an invalid WhatsApp user: no WhatsApp on this number, WhatsApp's terms "
        "not accepted, or an outdated app.",
        "Ask the person to open WhatsApp (accept the terms, update the app), then Resend; or use SMS.",
    ),
    63032: (
        "Blocked by a WhatsApp experiment",
        "Meta holds back marketing templates from about 1% of WhatsApp users taking part in an experiment; "
        "this person is one of them.",
        "Do not resend the marketing template: ask the person to write first, or use SMS.",
    ),
    63038: (
        "Daily message limit reached",
        "The Twilio account sent more messages than allowed within 24 hours.",
        "Wait for the 24-hour window to reset, then use Resend; ask the admin to raise the limit with Twilio.",
    ),
    63040: (
        "Template rejected by WhatsApp",
        "The message matches a template that WhatsApp rejected, or that failed to be submitted.",
        "Create a new template (clear wording, sequential {{1}} {{2}} variables) and submit it for approval.",
    ),
    63049: (
        "Meta did not deliver this marketing message",
        "Meta held back a marketing template: US recipients no longer receive them, and others are "
        "limited when unlikely to engage.",
        "Do not resend at once. Use a utility template if the message is transactional, retry later, or use SMS.",
    ),
    # Content API (92xxx) ------------------------------------------------------------------
    92009: (
        "Template already submitted for approval",
        "This template was already submitted for WhatsApp approval and can no longer change.",
        "Create a new template with the changes and submit that one.",
    ),
}
