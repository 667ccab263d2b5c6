"""The conversation's "Send message" page: the WhatsApp window per participant, a
free-form or template form, a preview of the template, then the guarded send.

Every refusal comes from the services (message_send_check, template variables);
this module only turns them into form errors. The page is for those who may
write to people (add_message and send_message): anyone else gets a 403. Numbers
(the window list, refusals naming a participant) are masked unless the viewer
may see them.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops import permissions as rules
from conversations_ops.masking import address_for, text_for
from conversations_ops.messaging.template_variables import (
    template_placeholders,
    template_render,
    template_variables_errors,
)
from conversations_ops.messaging.window import conversation_windows
from conversations_ops.models import Conversation, Template
from conversations_ops.services.messages import (
    approved_templates,
    message_body_problem,
    message_send,
    message_send_check,
)

from .permissions import require

FREE_FORM, TEMPLATE = "free_form", "template"


def _template_label(template: Template) -> str:
    return f"{template} ({template.sid}) · {template.approval_status or 'not submitted'}"


class SendMessageForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[(FREE_FORM, "Free-form text"), (TEMPLATE, "Approved template")],
        widget=forms.RadioSelect,
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False)
    template = forms.ModelChoiceField(queryset=Template.objects.none(), required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, conversation: Conversation, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conversation = conversation
        self.viewer = viewer  # refusals name participants: masked for those who may not see numbers
        self.fields["template"].queryset = Template.objects.exclude(sid="").order_by("friendly_name")
        self.fields["template"].label_from_instance = _template_label
        self.chosen = self._chosen_template()
        self.placeholders = template_placeholders(body=self.chosen.body_text) if self.chosen else []
        for number in self.placeholders:
            self.fields[f"var_{number}"] = forms.CharField(
                label=f"{{{{{number}}}}}",
                required=False,
                strip=False,
                widget=forms.TextInput(attrs={"size": 60}),
            )

    def _chosen_template(self):
        source = self.data if self.is_bound else self.initial
        pk = source.get("template")
        pk = getattr(pk, "pk", pk)
        return Template.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None

    def variables(self) -> dict:
        return {n: self.cleaned_data.get(f"var_{n}", "") for n in self.placeholders}

    def attached_media(self) -> str:
        """A media SID the free-form send carries (the inbox's form attaches files); none here."""
        return ""

    def clean(self):
        data = super().clean()
        mode, template = data.get("mode"), data.get("template")
        if mode == TEMPLATE:
            if template is None:
                raise ValidationError({"template": "Pick a template."})
            if data.get("body"):
                self.add_error("body", "A template sends its own text; leave the body empty.")
            for key, problems in template_variables_errors(template=template, variables=self.variables()).items():
                self.add_error(f"var_{key}" if key in self.placeholders else None, problems)
        elif mode == FREE_FORM and (
            problem := message_body_problem(conversation=self.conversation, body=data.get("body", ""))
        ):
            self.add_error("body", problem)  # beside the text: the limit of this conversation's channels
        if self.errors:
            return data
        reasons = message_send_check(
            conversation=self.conversation,
            body=data.get("body", "") if mode == FREE_FORM else "",
            template=template if mode == TEMPLATE else None,
            variables=self.variables(),
            media_sid=self.attached_media() if mode == FREE_FORM else "",
        )
        for reason in reasons:
            self.add_error(None, text_for(self.viewer, reason))
        return data


def _participant_label(user, participant) -> str:
    return (
        text_for(user, participant.identity)
        or address_for(user, participant.messaging_binding_address)
        or participant.sid_or_placeholder
    )


def _render(admin, request, conversation, form, *, preview: str | None = None):
    windows = conversation_windows(conversation=conversation)
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "original": conversation,
        "title": f"Send message: {conversation}",
        "windows": windows,
        "window_rows": [(_participant_label(request.user, w.participant), w) for w in windows],
        "approved": approved_templates(),
        "form": form,
        "preview": preview,
    }
    return TemplateResponse(request, "admin/conversations_ops/conversation/send_message.html", context)


def _initial(request) -> dict:
    blocked = any(not w.free_form_allowed for w in getattr(request, "_windows", []))
    mode = request.GET.get("mode") or (TEMPLATE if blocked else FREE_FORM)
    return {"mode": mode, "template": request.GET.get("template"), "body": request.GET.get("body", "")}


def send_message_view(admin, request, object_id):
    conversation = get_object_or_404(Conversation, pk=object_id)
    if not admin.has_view_permission(request, conversation):
        raise PermissionDenied
    require(request, rules.SEND_TO_PEOPLE)
    viewer = request.user
    if request.method != "POST":
        request._windows = conversation_windows(conversation=conversation)
        return _render(
            admin,
            request,
            conversation,
            SendMessageForm(initial=_initial(request), conversation=conversation, viewer=viewer),
        )
    form = SendMessageForm(request.POST, conversation=conversation, viewer=viewer)
    action = request.POST.get("action", "send")
    if action in ("choose", "edit"):
        return _render(
            admin,
            request,
            conversation,
            SendMessageForm(
                initial={k: request.POST.get(k) for k in request.POST}, conversation=conversation, viewer=viewer
            ),
        )
    if not form.is_valid():
        return _render(admin, request, conversation, form)
    template = form.cleaned_data["template"] if form.cleaned_data["mode"] == TEMPLATE else None
    if template is not None and (action == "preview" or not form.cleaned_data.get("confirmed")):
        data = request.POST.copy()
        data["confirmed"] = "on"
        confirmed = SendMessageForm(data, conversation=conversation, viewer=viewer)
        confirmed.is_valid()
        return _render(
            admin,
            request,
            conversation,
            confirmed,
            preview=template_render(template=template, variables=form.variables()),
        )
    try:
        message = message_send(
            conversation=conversation,
            body=form.cleaned_data["body"] if template is None else "",
            content_sid=template.sid if template else "",
            content_variables=form.variables() if template else None,
            user=request.user,
            guard=True,
        )
    except ValidationError as exc:
        for reason in exc.messages:
            form.add_error(None, text_for(viewer, reason))
        return _render(admin, request, conversation, form)
    admin.message_user(
        request,
        f"Message queued ({'template ' + str(template) if template else 'free-form'}); "
        "its delivery shows on the message once Twilio reports it.",
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:conversations_ops_message_change", args=[message.pk]))
