from django.apps import AppConfig


class ConversationsOpsConfig(AppConfig):
    name = "conversations_ops"
    verbose_name = "Conversations Ops"

    def ready(self):
        # Imported in ready(), not at the top: Django imports this module before the
        # models are loaded, and the heartbeat (like django_q's signals) imports models.
        from django.contrib.auth.signals import user_logged_in
        from django_q.signals import post_spawn, pre_execute

        from conversations_ops.admin.lookups import guard_every_admin
        from conversations_ops.consent.selectors import consent_refusal_line
        from conversations_ops.health.heartbeat import on_task_start, on_worker_spawn
        from conversations_ops.outbox.listeners import operation_settled_connect
        from conversations_ops.outbox.refusals import recipient_refusal_connect
        from conversations_ops.pairings.flow import pairing_operation_settled
        from conversations_ops.second_factor import checks  # noqa: F401 - registers the deploy check
        from conversations_ops.second_factor.middleware import remember_access

        # Workers beat when they start and when they start a task (health/heartbeat.py says why).
        post_spawn.connect(on_worker_spawn, dispatch_uid="conversations_ops.worker_spawn_heartbeat")
        pre_execute.connect(on_task_start, dispatch_uid="conversations_ops.worker_heartbeat")
        # A pairing moves on when its pushes settle (pairings/flow.py); the outbox knows no pairing.
        operation_settled_connect(pairing_operation_settled)
        # Every send and every queued message asks consent before it reaches a person (outbox/refusals.py);
        # the outbox and services cannot import consent, which sends its confirmations through them.
        recipient_refusal_connect(consent_refusal_line)
        # Every login (force_login in tests included) keeps what the account may do, so a
        # change is noticed on the session's next request (second_factor/middleware.py).
        user_logged_in.connect(remember_access, dispatch_uid="conversations_ops.remember_access")
        # Every admin list takes only its declared filters, search and ordering (admin/lookups.py).
        # Here, not in admin/__init__.py: Django has imported every app's admin module by now.
        guard_every_admin()
