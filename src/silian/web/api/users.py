"""``/api/v1/users``, ``/api/v1/tokens``, ``/api/v1/audit``: the city admin's account management (every other role
gets 403): list, create (with a one-time password), change role and scope, deactivate and reactivate, reset a
password, unlock; everyone's API tokens; the audit log, filtered and paged."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from silian.domain.access import Principal
from silian.services import account_access, account_admin, accounts
from silian.services.audit_log import AuditQuery, audit_page
from silian.services.hub_database import Database
from silian.web.api.auth import TokenList, TokenPublic
from silian.web.dependencies import DbDep, UserDep
from silian.web.errors import responses

router = APIRouter(tags=["用户管理 / users"])
ADMIN_ERRORS = responses(400, 401, 403, 404)


class UserPublic(BaseModel):
    """A platform user as the admin sees it (never the password hash)."""

    id: int
    username: str
    role: str
    display_name: str
    county_code: str | None
    institution_code: str | None
    enterprise_credit_code: str | None
    is_active: bool
    must_change_password: bool
    locked_sources: int = Field(0, description="Addresses that must wait before trying this account again")
    created_at: datetime
    last_login_at: datetime | None


class UserList(BaseModel):
    data: list[UserPublic]
    count: int


class UserCreate(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    role: str
    display_name: str = Field("", max_length=100)
    county_code: str | None = Field(None, max_length=6)
    institution_code: str | None = Field(None, max_length=20)
    enterprise_credit_code: str | None = Field(None, max_length=18)


class UserUpdate(BaseModel):
    """A new role and scope (and display name), or ``is_active``; absent fields stay as they are."""

    role: str | None = None
    display_name: str | None = Field(None, max_length=100)
    county_code: str | None = Field(None, max_length=6)
    institution_code: str | None = Field(None, max_length=20)
    enterprise_credit_code: str | None = Field(None, max_length=18)
    is_active: bool | None = None


class OneTimePassword(BaseModel):
    user: UserPublic
    one_time_password: str = Field(..., description="Shown once: hand it to the user, who must change it at the next "
                                   "login")


class AuditRecord(BaseModel):
    id: int
    at: str
    user_id: int | None
    username: str
    action: str
    entity: str
    entity_id: str
    before: str
    after: str
    client: str


class AuditList(BaseModel):
    data: list[AuditRecord]
    count: int
    page: int
    pages: int


def _user(db: Database, principal: Principal, user_id: int) -> UserPublic:
    return UserPublic(**account_admin.user_details(db, principal, user_id))


@router.get("/api/v1/users", response_model=UserList, responses=ADMIN_ERRORS, summary="List users")
def list_users(db: DbDep, principal: UserDep, q: str = "", role: str = "", status: str = "") -> UserList:
    """``q`` searches the username and display name; ``status``: active, inactive or locked."""
    accounts.require_admin(principal)
    rows = account_admin.list_users(db, search=q, role=role, status=status)
    return UserList(data=[UserPublic(**row) for row in rows], count=len(rows))


@router.post("/api/v1/users", response_model=OneTimePassword, status_code=201, responses=ADMIN_ERRORS,
             summary="Create a user (with a one-time password)")
def create_user(db: DbDep, principal: UserDep, body: UserCreate) -> OneTimePassword:
    user_id, password = accounts.create_user_with_one_time_password(db, principal, **body.model_dump())
    return OneTimePassword(user=_user(db, principal, user_id), one_time_password=password)


@router.get("/api/v1/users/{user_id}", response_model=UserPublic, responses=ADMIN_ERRORS, summary="One user")
def get_user(user_id: int, db: DbDep, principal: UserDep) -> UserPublic:
    return _user(db, principal, user_id)


@router.patch("/api/v1/users/{user_id}", response_model=UserPublic, responses=ADMIN_ERRORS,
              summary="Change a user's role and scope, or (de)activate")
def update_user(user_id: int, db: DbDep, principal: UserDep, body: UserUpdate) -> UserPublic:
    """Deactivating ends every session and token of the user at once."""
    current = account_admin.user_details(db, principal, user_id)
    if body.role is not None or body.display_name is not None:
        role = body.role or current["role"]
        scope = {name: getattr(body, name) if name in body.model_fields_set else current[name]
                 for name in ("county_code", "institution_code", "enterprise_credit_code")}
        account_admin.change_role(db, principal, user_id, role=role, display_name=body.display_name, **scope)
    if body.is_active is not None and body.is_active != current["is_active"]:
        account_admin.set_active(db, principal, user_id, body.is_active)
    return _user(db, principal, user_id)


@router.post("/api/v1/users/{user_id}/reset-password", response_model=OneTimePassword, responses=ADMIN_ERRORS,
             summary="Give a user a one-time password")
def reset_password(user_id: int, db: DbDep, principal: UserDep) -> OneTimePassword:
    """Every session and token of the user ends; the user must change the password at the next login."""
    password = account_admin.reset_password(db, principal, user_id)
    return OneTimePassword(user=_user(db, principal, user_id), one_time_password=password)


@router.post("/api/v1/users/{user_id}/unlock", response_model=UserPublic, responses=ADMIN_ERRORS,
             summary="End every login wait of a user")
def unlock(user_id: int, db: DbDep, principal: UserDep) -> UserPublic:
    account_admin.unlock(db, principal, user_id)
    return _user(db, principal, user_id)


@router.get("/api/v1/tokens", response_model=TokenList, responses=ADMIN_ERRORS, summary="Everyone's API tokens")
def all_tokens(db: DbDep, principal: UserDep, user_id: int | None = None) -> TokenList:
    rows = account_access.list_tokens(db, principal, user_id, everyone=user_id is None)
    return TokenList(data=[TokenPublic(**row) for row in rows], count=len(rows))


@router.delete("/api/v1/tokens/{token_id}", status_code=204, responses=ADMIN_ERRORS, summary="Revoke any token")
def revoke_token(token_id: int, db: DbDep, principal: UserDep) -> None:
    accounts.require_admin(principal)
    account_access.revoke_token_id(db, principal, token_id)


@router.get("/api/v1/audit", response_model=AuditList, responses=ADMIN_ERRORS, summary="The audit log")
def audit(db: DbDep, principal: UserDep, user: str = "", action: str = "", table: str = "", date_from: str = "",
          date_to: str = "", page: int = Query(1, ge=1)) -> AuditList:
    """Newest first, 50 a page; ``date_from``/``date_to`` are inclusive days (YYYY-MM-DD, UTC)."""
    found = audit_page(db, principal, AuditQuery(user, action, table, date_from, date_to), page)
    return AuditList(data=[AuditRecord(**row) for row in found.rows], count=found.total, page=found.page,
                     pages=found.pages)
