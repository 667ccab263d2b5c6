"""Reading an admin form's layout the way staff meet it: which fields, in which blocks, folded or not."""

import re

from conversations_ops.admin.base import MIRROR_FIELDS


def fieldsets(response) -> list[tuple[str | None, tuple, list[str]]]:
    """(heading, classes, field names) of each block of the admin form, in page order."""
    blocks = []
    for name, options in response.context["adminform"].fieldsets:
        names = []
        for field in options["fields"]:
            names.extend(field if isinstance(field, (list, tuple)) else [field])
        blocks.append((name, tuple(options.get("classes", ())), names))
    return blocks


def rendered_fields(html: str) -> set[str]:
    """The names of the fields the page renders (Django wraps each in `field-<name>`)."""
    return set(re.findall(r'class="[^"]*\bfield-(\w+)', html))


def mirror_fields_shown(response) -> set[str]:
    """Sync fields on the page, whether as a form row or a read-only value."""
    names = rendered_fields(response.content.decode())
    names.update(n for _, _, fields in fieldsets(response) for n in fields)
    return names & set(MIRROR_FIELDS)
