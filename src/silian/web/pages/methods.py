"""``/methods`` and ``/methods/<name>``: the method cards (how every index is computed), rendered from the cards
packaged with the code — the same text as ``docs/methods`` — so every 说明 on a page can link to its method."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from silian.domain.messages import register_messages
from silian.services import presentation as present
from silian.services.presentation import method_cards
from silian.web.dependencies import PrincipalDep
from silian.web.templating import render

router = APIRouter(include_in_schema=False)
register_messages(
    {
        "mc_title": ("方法说明", "Methods"),
        "mc_intro": (
            "每个指标和图表的计算方法：公式、输入、方向、边界情况与参考文献。方法卡正文为英文，保留中文术语原文。",
            "How every indicator and chart is computed: formula, inputs, direction, edge cases and references.",
        ),
        "mc_all": ("全部方法说明", "All method cards"),
    }
)


@router.get("/methods")
def methods_index(request: Request, principal: PrincipalDep) -> Response:
    cards = [(name, present.method_title(name)) for name in method_cards.card_names() if name != "README"]
    return render(request, "methods/index.html", principal, cards=cards)


@router.get("/methods/{name}")
def method_card(request: Request, principal: PrincipalDep, name: str) -> Response:
    body = method_cards.card_html(name)  # NotFound (404 page) for a name that is not a card
    return render(request, "methods/card.html", principal, name=name, title=present.method_title(name), body=body)
