"""Pagination for tables too big to count (messages, webhook events, receipts).

Django's admin asks its paginator for `count` on every list page, and COUNT(*)
over a million rows costs far more than the page itself (and grows with the
table). This paginator counts only as far as the pages it links to: the
current page plus `count_ahead_pages`, with `SELECT COUNT(*) FROM (... LIMIT n)`,
so the database stops after n rows. Past that the list says "more than n" and
the page links end in "…"; the next pages count further as they are opened.

Use: `class MyAdmin(CappedCountAdminMixin, admin.ModelAdmin)`, and give the list a
`pagination.html` that shows `cl.paginator.count_label` (see
templates/admin/conversations_ops/message/pagination.html; an `{% include %}` of it
works for any model).
"""

import inspect
from functools import cached_property

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator


class CappedCountPaginator(Paginator):
    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap: int):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        """The rows, up to cap + 1 (one more than cap says "there are more")."""
        limited = self.object_list[: self.cap + 1]
        count = getattr(limited, "count", None)
        # A queryset counts in the database; a list's count() is the builtin that counts one value.
        return count() if callable(count) and not inspect.isbuiltin(count) else len(limited)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"more than {self.cap:,}" if self.capped else f"{self.count:,}"

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if not self.capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        # The last page counted is not the last page: no link to an "end", a "…" instead.
        number = self.validate_number(number)
        if number > 1 + on_each_side + on_ends + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, number + 1)
        else:
            yield from range(1, number + 1)
        last_counted = -(-self.cap // self.per_page)  # the pages the cap covers in full or in part
        yield from range(number + 1, min(last_counted, number + on_each_side) + 1)
        yield self.ELLIPSIS


class CappedCountAdminMixin:
    """A changelist that never counts the whole table: capped counts, no full count, no facet counts."""

    count_ahead_pages = 10
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = max(1, int(request.GET.get(PAGE_VAR, 1)))
        except ValueError:
            page = 1
        cap = (page + self.count_ahead_pages) * per_page
        return CappedCountPaginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)
