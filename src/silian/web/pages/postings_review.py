"""招聘岗位复核 (review of low-confidence job titles): the review queue of the postings last loaded, answered in the
browser. The city admin writes the 大典 code of each title they can decide; the answers are checked and stored
exactly as `silian postings confirm` stores a filled-in sheet (services.confirmed_titles, in the hub database), and the next postings
import counts those titles. Other roles are refused; the public is sent to the login page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from silian.domain.access import Principal
from silian.domain.errors import ImportRejected
from silian.domain.messages import register_messages, t
from silian.services.hub_database import Database
from silian.services.postings.classifier import code_names
from silian.services.postings.confirmed_titles import (
    confirmed_table,
    load_confirmed,
    pending_review,
    review_sheet,
)
from silian.services.postings.title_review import confirm_reviewed
from silian.services.presentation.export import inert_frame
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/dashboard/postings/review"
SHOWN = 200  # titles per page load, most postings first; the CSV holds them all
register_messages(
    {
        "rv_title": ("招聘岗位复核", "Review of job titles"),
        "rv_intro": (
            (
                "下表是最近一次载入的招聘数据中置信度低、未计入需求的岗位名称（按招聘条数排序）。在能确定的行填写职业分类大典代码"
                "（细类如 2-02-10-03，或上级代码如 4-01-02），不能确定的留空。确认后，下次导入招聘数据（silian postings i"
                "mport … --load）"
                "时这些岗位名称按确认的代码计入需求，模型也会学习它们。"
            ),
            (
                "These titles from the postings last loaded had low confidence and are not counted in demand (most postings "
                "first). Write the 大典 code of each title you can decide (a 细类 such as 2-02-10-03, or a coarser code such as "
                "4-01-02) and leave the rest empty. Once confirmed, the next postings import (silian postings import … --load) "
                "counts them under the confirmed code, and the model learns from them."
            ),
        ),
        "rv_source": ("来源：{source}（{saved_at} 载入）", "From {source} (loaded {saved_at})"),
        "rv_waiting": (
            "待复核：{titles:,} 个岗位名称，{postings:,} 条招聘",
            "Waiting: {titles:,} titles, {postings:,} postings",
        ),
        "rv_more": (
            "只显示前 {shown} 个；全部见 CSV（填好后可用 silian postings confirm 导入）",
            "Showing the first {shown}; all are in the CSV (fill it in and load it with silian postings confirm)",
        ),
        "rv_none": ("没有待复核的岗位名称。", "No titles are waiting for review."),
        "rv_no_load": (
            "还没有载入招聘数据：运行 silian postings import 招聘数据.csv --load 后，这里列出需要复核的岗位名称。",
            (
                "No postings have been loaded yet: after silian postings import posting"
                "s.csv --load the titles to review appear here."
            ),
        ),
        "rv_col_title": ("岗位名称", "Job title"),
        "rv_col_postings": ("招聘条数", "Postings"),
        "rv_col_guess": ("模型的候选（点击填入）", "Model's candidates (click to fill in)"),
        "rv_col_confidence": ("置信度", "Confidence"),
        "rv_col_code": ("确认代码", "Confirmed code"),
        "rv_submit": ("保存确认", "Save confirmations"),
        "rv_saved": (
            "已确认 {added:,} 个新岗位名称、改动 {changed:,} 个；下次导入招聘数据时计入需求。",
            "Confirmed {added:,} new titles and changed {changed:,}; they count from the next postings import.",
        ),
        "rv_confirmed": ("已确认的岗位名称：{n:,} 个", "Confirmed titles: {n:,}"),
        "rv_download_queue": ("下载待复核清单（CSV）", "Download the queue (CSV)"),
        "rv_download_confirmed": ("下载已确认的岗位名称（CSV）", "Download the confirmed titles (CSV)"),
        "rv_form": ("复核表", "review form"),
        "rv_forbidden": ("只有市级管理员可以复核岗位名称", "Only the city admin may review job titles"),
        "rv_link": ("复核低置信度岗位名称", "Review low-confidence titles"),
    }
)


def _refusal(request: Request, principal: Principal) -> Response | None:
    if principal.is_public:
        return RedirectResponse("/login?" + urlencode({"next": PATH}), status_code=303)
    if not principal.is_admin:
        return render(request, "dashboard/review.html", principal, status_code=403, forbidden=t("rv_forbidden"))
    return None


def _page(request: Request, db: Database, principal: Principal, status_code: int = 200, **context: Any) -> Response:
    confirmed = load_confirmed(db)
    pending, meta = pending_review(db, confirmed)
    names = code_names()
    rows = [{**r, "candidates": _candidates(r)} for r in pending.head(SHOWN).to_dicts()]
    return render(request, "dashboard/review.html", principal, status_code=status_code, rows=rows,
                  waiting=t("rv_waiting", titles=pending.height, postings=int(pending["postings"].sum() or 0)),
                  more=pending.height > SHOWN, shown=SHOWN, meta=meta, confirmed=len(confirmed),
                  options=sorted(names.items()), **{"message": "", "error": "", "problems": [], "answers": {}, **context})


def _candidates(row: dict[str, Any]) -> list[tuple[str, str, float]]:
    """The model's guess and its next candidates (saved with the queue), best first."""
    found = []
    for suffix in ("", "_2", "_3"):
        code = row.get(f"occupation_code{suffix}")
        if code:
            found.append((code, row.get(f"occupation_name{suffix}") or "", float(row.get(f"confidence{suffix}") or 0.0)))
    return found


@router.get(PATH)
def review_page(request: Request, db: DbDep, principal: PrincipalDep, added: int | None = None,
                changed: int | None = None) -> Response:
    refused = _refusal(request, principal)
    if refused:
        return refused
    message = t("rv_saved", added=added, changed=changed or 0) if added is not None else ""
    return _page(request, db, principal, message=message)


@router.post(PATH)
async def review_submit(request: Request, db: DbDep, client: ClientDep, principal: PrincipalDep) -> Response:
    """Answers come as ``title_N`` / ``code_N`` pairs (N = the table row); empty codes are left undecided."""
    refused = _refusal(request, principal)
    if refused:
        return refused
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    numbers = sorted(int(k[5:]) for k in form if k.startswith("code_") and k[5:].isdigit())
    rows = [(n, form.get(f"title_{n}"), form.get(f"code_{n}")) for n in numbers]
    try:
        counts = await run_in_threadpool(confirm_reviewed, db, principal, rows, file=t("rv_form"), client=client)
    except ImportRejected as exc:
        answers = {n: form.get(f"code_{n}", "") for n in numbers}
        return _page(request, db, principal, 422, error=exc.message, problems=exc.problems, answers=answers)
    return RedirectResponse(f"{PATH}?" + urlencode({"added": counts.added, "changed": counts.changed}), status_code=303)


@router.get(PATH + ".csv")
def review_csv(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    """The whole queue (still unconfirmed) as the sheet `silian postings confirm` reads."""
    refused = _refusal(request, principal)
    if refused:
        return refused
    pending, _ = pending_review(db, load_confirmed(db))
    return _csv(inert_frame(review_sheet(pending)).write_csv(), "review_queue.csv")


@router.get("/dashboard/postings/confirmed.csv")
def confirmed_csv(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    refused = _refusal(request, principal)
    if refused:
        return refused
    table = confirmed_table(db, code_names())
    return _csv(inert_frame(table).write_csv(), "confirmed_titles.csv")


def _csv(body: str, name: str) -> Response:
    return Response(("\ufeff" + body).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
