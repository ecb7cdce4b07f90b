"""The demand-sharing platform (区域性企业产业需求信息共享平台): enterprises post talent demand, technology needs,
order-class and apprenticeship seats; schools post graduate supply and cooperation offers; schools respond to
enterprise posts and the enterprise accepts or declines. An accepted response to a talent-demand, order-class or
apprenticeship post becomes a record of the hub's ``cooperation`` table.

Every post and response is validated like an imported row (catalogue codes, references, counts, periods), limited
to what the principal's role allows and written to the audit log. Who sees what (see docs/platform.md): the city
admin sees every post; county officers their county's; school and enterprise users every open post and their own;
the public only aggregated counts (:func:`post_summary`).

Modules: :mod:`.rules` (kinds, messages, validation, visibility), :mod:`.reading`, :mod:`.publishing`,
:mod:`.responses`, :mod:`.demand` (posts as declared demand).
"""

from silian.domain.vocab import (
    DEMAND_KINDS,
    ENTERPRISE_KINDS,
    KIND_NAMES,
    POST_STATUSES,
    RESPONSE_STATUSES,
    SCHOOL_KINDS,
)
from silian.services.platform_posts.demand import (
    DEMAND_COLUMNS,
    POST_DEMAND_TABLE,
    declared_post_demand,
    post_demand,
    read_post_demand,
    with_post_demand,
)
from silian.services.platform_posts.publishing import close_post, create_post, school_majors, update_post
from silian.services.platform_posts.reading import PostFilters, get_post, list_posts, post_summary
from silian.services.platform_posts.responses import decide, list_responses, respond
from silian.services.platform_posts.rules import (
    COOPERATION_KIND,
    EDITABLE,
    MAX_PAGE_SIZE,
    SORT_FIELDS,
    PostPage,
    kind_name,
    owns,
    post_spec,
    response_spec,
    status_label,
    validate_row,
)

__all__ = [
    "COOPERATION_KIND", "DEMAND_COLUMNS", "DEMAND_KINDS", "EDITABLE", "ENTERPRISE_KINDS", "KIND_NAMES", "MAX_PAGE_SIZE",
    "POST_DEMAND_TABLE", "POST_STATUSES", "RESPONSE_STATUSES", "SCHOOL_KINDS", "SORT_FIELDS", "PostFilters", "PostPage",
    "close_post", "create_post", "decide", "declared_post_demand", "get_post", "kind_name", "list_posts",
    "list_responses", "owns", "post_demand", "post_spec", "post_summary", "read_post_demand", "respond",
    "response_spec", "school_majors", "status_label", "update_post", "validate_row", "with_post_demand",
]
