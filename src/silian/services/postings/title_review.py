"""招聘岗位复核 in the browser as one use-case: the city admin's answers to the review queue are checked, merged into
the confirmed titles (as `silian postings confirm` does with a filled-in sheet) and audited beside the platform's
other changes."""

from __future__ import annotations

from collections.abc import Iterable

from silian.domain.access import Principal
from silian.services.accounts import write_audit
from silian.services.hub_database import Database
from silian.services.postings.classifier import code_names
from silian.services.postings.confirmed_titles import ConfirmCounts, check_rows, save_confirmed


def confirm_reviewed(db: Database, principal: Principal, rows: Iterable[tuple[int, str | None, str | None]], *,
                     file: str, client: str = "") -> ConfirmCounts:
    """Check ``(row, title, code)`` answers (rows without a code stay undecided; any problem rejects them all with
    :class:`~silian.domain.errors.ImportRejected`, naming ``file``), save them as confirmed by ``p`` and write one
    audit record of what was confirmed."""
    reviewed = check_rows(rows, code_names(), file=file)
    counts = save_confirmed(db, reviewed, source=f"web:{principal.username}")
    with db.begin() as conn:  # who confirmed what, beside the platform's other changes
        write_audit(conn, principal, "confirm", "confirmed_titles", "", None, {c.title: c.code for c in reviewed.confirmations},
                    client)
    return counts
