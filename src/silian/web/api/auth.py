"""``/api/v1/auth``: exchange a username and password for a bearer token (one per client name); who am I; list and
revoke one's own tokens; change one's own password."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from silian.domain.access import ROLE_NAMES
from silian.domain.errors import PermissionDenied
from silian.domain.messages import current_lang, t
from silian.services import account_access, accounts
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, SettingsDep, UserDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/auth", tags=["认证 / auth"])


class TokenRequest(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100, description="The client (script, system) the token is for: a new token for "
                      "the same name replaces the old one")


class TokenResponse(BaseModel):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`; shown only once")
    expires_at: datetime | None
    id: int = Field(0, description="The token's id (to list or revoke it)")


class TokenPublic(BaseModel):
    """An API token as listed: never the token itself."""

    id: int
    user_id: int
    username: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenList(BaseModel):
    data: list[TokenPublic]
    count: int


class Me(BaseModel):
    role: str
    role_name: str
    username: str
    county_code: str | None = None
    institution_code: str | None = None
    enterprise_credit_code: str | None = None


class PasswordChange(BaseModel):
    old_password: str = Field(..., min_length=1, max_length=200)
    new_password: str = Field(..., min_length=1, max_length=200)


@router.post("/token", response_model=TokenResponse, status_code=201, responses=responses(401, 403, 422),
             summary="Create an API token")
def create_token(db: DbDep, settings: SettingsDep, client: ClientDep, body: TokenRequest) -> TokenResponse:
    """Unknown user, wrong password and too many wrong passwords from this address all answer 401 `bad_credentials`."""
    principal = accounts.authenticate(db, settings, body.username, body.password, client)
    if accounts.must_change_password(db, principal.user_id):
        raise PermissionDenied(t("acct_change_first"))
    new = account_access.create_token(db, settings, principal, body.name)
    return TokenResponse(token=new.token, expires_at=new.expires_at, id=new.token_id)


@router.get("/me", response_model=Me, summary="Who am I")
def me(principal: PrincipalDep) -> Me:
    names = ROLE_NAMES[principal.role]
    return Me(
        role=principal.role,
        role_name=names[1] if current_lang.get() == "en" else names[0],
        username=principal.username,
        county_code=principal.county_code,
        institution_code=principal.institution_code,
        enterprise_credit_code=principal.enterprise_credit_code,
    )


@router.delete("/token", status_code=204, responses=responses(401, 404), summary="Revoke the token of this request")
def revoke(request: Request, db: DbDep, principal: UserDep) -> None:
    auth = request.headers.get("authorization", "")
    account_access.revoke_token(db, principal, auth[7:].strip() if auth.lower().startswith("bearer ") else "")


@router.get("/tokens", response_model=TokenList, summary="My API tokens")
def my_tokens(db: DbDep, principal: UserDep) -> TokenList:
    rows = account_access.list_tokens(db, principal)
    return TokenList(data=[TokenPublic(**row) for row in rows], count=len(rows))


@router.delete("/tokens/{token_id}", status_code=204, responses=responses(404), summary="Revoke one of my tokens")
def revoke_mine(token_id: int, db: DbDep, principal: UserDep) -> None:
    account_access.revoke_token_id(db, principal, token_id, own_only=True)  # an admin: anyone's at /api/v1/tokens


@router.post("/password", status_code=204, responses=responses(400, 422), summary="Change my password")
def change_password(db: DbDep, settings: SettingsDep, client: ClientDep, principal: UserDep, body: PasswordChange) -> None:
    """The current password is checked like a login; afterwards every session and token of the user has ended
    (this request's token too: log in again)."""
    accounts.change_own_password(db, settings, principal, body.old_password, body.new_password, client)
