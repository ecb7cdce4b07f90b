"""``/api/v1/auth``: exchange a username and password for a bearer token; who am I; revoke a token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from silian.domain.access import ROLE_NAMES
from silian.services import accounts
from silian.web.dependencies import ClientDep, DbDep, PrincipalDep, SettingsDep, UserDep
from silian.web.errors import responses

router = APIRouter(prefix="/api/v1/auth", tags=["认证 / auth"])


class TokenRequest(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100, description="A label for the token, e.g. the script using it")


class TokenResponse(BaseModel):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`; shown only once")
    expires_at: datetime | None


class Me(BaseModel):
    role: str
    role_name: str
    username: str
    county_code: str | None = None
    institution_code: str | None = None
    enterprise_credit_code: str | None = None


@router.post("/token", response_model=TokenResponse, status_code=201, responses=responses(401, 422, 429),
             summary="Create an API token")
def create_token(db: DbDep, settings: SettingsDep, client: ClientDep, body: TokenRequest) -> TokenResponse:
    principal = accounts.authenticate(db, settings, body.username, body.password, client)
    new = accounts.create_token(db, settings, principal, body.name)
    return TokenResponse(token=new.token, expires_at=new.expires_at)


@router.get("/me", response_model=Me, summary="Who am I")
def me(principal: PrincipalDep) -> Me:
    from silian.domain.messages import current_lang
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
    accounts.revoke_token(db, principal, auth[7:].strip() if auth.lower().startswith("bearer ") else "")
