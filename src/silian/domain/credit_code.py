"""统一社会信用代码 (GB 32100-2015) validation.

Eighteen characters: registration authority (1), organisation type (1), administrative division (6),
organisation code (9, GB 11714), check character (1). The check character is
``31 - (Σ value(c_i) · 3^i mod 31) mod 31`` over the first 17 characters, mapped back to the 31-character
alphabet ``0-9A-Y`` without I, O, S, V and Z.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
REGISTRATION_AUTHORITIES = set("1235679ANY")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码 (a message key), or None if it is valid."""
    if len(code) != 18:
        return "credit_code_length"
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return "credit_code_charset"
    if code[0] not in REGISTRATION_AUTHORITIES:
        return "credit_code_authority"
    if not code[2:8].isdigit():
        return "credit_code_region"
    if check_character(code[:17]) != code[17]:
        return "credit_code_check"
    return None


def is_valid_credit_code(code: str) -> bool:
    """True when ``code`` is a well-formed code with the right check character."""
    return credit_code_problem(code) is None


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo generator)."""
    return first17 + check_character(first17)
