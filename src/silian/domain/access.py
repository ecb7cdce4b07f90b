"""Who may see and change what: roles, the principal of a request, and the scope of each hub table per role.

Roles (the issue's words): city admin (everything), county officer (own county's data and scores), school user
(own school's data; aggregated region data), enterprise user (own enterprise, own demand and posts, responses to
them), public (aggregated dashboards and open data only — no personal or commercial detail). A school or
enterprise user may edit its own record but not move it to another county (:func:`locked_column`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from silian.domain.messages import register_messages

Role = Literal["city_admin", "county_officer", "school_user", "enterprise_user", "public"]
ROLE_NAMES = {"city_admin": ("市级管理员", "city admin"), "county_officer": ("县级教育部门", "county officer"),
              "school_user": ("学校用户", "school user"), "enterprise_user": ("企业用户", "enterprise user"),
              "public": ("公众", "public")}
USER_ROLES = tuple(r for r in ROLE_NAMES if r != "public")  # the roles a platform account may have

# how rows of each hub table belong to someone: the column naming the school, the enterprise or the region
SCHOOL_COLUMN = {"institutions": "code", "institution_resources": "institution_code", "major_points": "institution_code",
                 "funding": "institution_code", "innovation": "institution_code", "cooperation": "institution_code"}
ENTERPRISE_COLUMN = {"enterprises": "credit_code", "demand": "enterprise_credit_code",
                     "cooperation": "enterprise_credit_code"}
COUNTY_COLUMN = {"institutions": "county_code", "enterprises": "county_code", "demand": "region_code"}
# the column that puts a school's or an enterprise's own record under a county: the jurisdiction is set by the
# city or the county, so the school or enterprise itself may edit its record but not move it to another county
JURISDICTION_COLUMN = {("school_user", "institutions"): "county_code", ("enterprise_user", "enterprises"): "county_code"}
register_messages(
    {
        "locked_column": (
            "“{column}”决定记录归哪个县（市、区）管理，只能由市级管理员或县级教育部门修改（当前 {value}）",
            (
                "'{column}' decides which county administers this record; only the city "
                "admin or the county officer may change it (now {value})"
            ),
        ),
    }
)
OPEN_DATA = frozenset({"regions", "regional_economy", "industry_stats"})  # aggregates, no personal or commercial detail


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user with a role and the county, school or enterprise they belong to; or the public."""

    role: Role
    user_id: int | None = None
    username: str = ""
    county_code: str | None = None
    institution_code: str | None = None
    enterprise_credit_code: str | None = None

    @property
    def is_public(self) -> bool:
        return self.role == "public"

    @property
    def is_admin(self) -> bool:
        return self.role == "city_admin"


PUBLIC = Principal(role="public")


@dataclass(frozen=True)
class Scope:
    """Rows a principal may touch in one table: ``all``, ``none``, or rows whose ``column`` equals ``value``;
    ``via_school_county``: rows whose school lies in county ``value``."""

    kind: Literal["all", "none", "column", "school_county"]
    column: str = ""
    value: str = ""


ALL, NONE = Scope("all"), Scope("none")


def read_scope(principal: Principal, table: str) -> Scope:
    """Rows of ``table`` that ``p`` may read."""
    if principal.is_admin:
        return ALL
    if table in OPEN_DATA:
        return ALL
    if principal.is_public:
        return NONE
    return _own_scope(principal, table)


def write_scope(principal: Principal, table: str) -> Scope:
    """Rows of ``table`` that ``p`` may create, change or delete (open data: city admins only)."""
    if principal.is_admin:
        return ALL
    if principal.is_public or table in OPEN_DATA:
        return NONE
    return _own_scope(principal, table)


def _own_scope(principal: Principal, table: str) -> Scope:
    if principal.role == "county_officer" and principal.county_code:
        if table in COUNTY_COLUMN:
            return Scope("column", COUNTY_COLUMN[table], principal.county_code)
        if table in SCHOOL_COLUMN:
            return Scope("school_county", SCHOOL_COLUMN[table], principal.county_code)
    if principal.role == "school_user" and principal.institution_code and table in SCHOOL_COLUMN:
        return Scope("column", SCHOOL_COLUMN[table], principal.institution_code)
    if principal.role == "enterprise_user" and principal.enterprise_credit_code and table in ENTERPRISE_COLUMN:
        return Scope("column", ENTERPRISE_COLUMN[table], principal.enterprise_credit_code)
    return NONE


def locked_column(principal: Principal, table: str) -> str | None:
    """The column of ``table`` that ``p`` may not change on its own record (its county), if any."""
    return JURISDICTION_COLUMN.get((principal.role, table))


def row_in_scope(scope: Scope, row: dict[str, object], school_county: dict[str, str] | None = None) -> bool:
    """Whether a row (as a dict of its fields) lies in ``scope`` (for checking data a user sends)."""
    if scope.kind == "all":
        return True
    if scope.kind == "none":
        return False
    if scope.kind == "column":
        return str(row.get(scope.column) or "") == scope.value
    code = str(row.get(scope.column) or "")
    return (school_county or {}).get(code) == scope.value
