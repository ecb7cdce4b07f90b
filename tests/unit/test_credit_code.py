import pytest

from silian.domain.credit_code import (
    ALPHABET,
    check_character,
    credit_code_problem,
    is_valid_credit_code,
    make_credit_code,
)

# Published codes of well-known companies (business-licence format), and the GB 32100 standard example.
REAL_CODES = [
    "91350100M000100Y43",  # example in GB 32100-2015
    "914403001922038216",
    "91110108551385082Q",
    "91330100799655058B",
    "91110000710935732K",
    "9144030071526726XG",
    "91110000802100433B",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_other_check_character_is_rejected(code: str) -> None:
    for ch in ALPHABET:
        if ch != code[-1]:
            assert credit_code_problem(code[:17] + ch) == "credit_code_check"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y433", "credit_code_length"),
        ("91350100M000100I43", "credit_code_charset"),  # I is not in the alphabet
        ("91350100m000100y43", "credit_code_charset"),
        ("Z1350100M000100Y43", "credit_code_charset"),
        ("81350100M000100Y43", "credit_code_authority"),
        ("9135A100M000100Y43", "credit_code_region"),
    ],
)
def test_malformed_codes_name_the_problem(code: str, reason: str) -> None:
    assert credit_code_problem(code) == reason


def test_check_character_is_the_gb32100_formula() -> None:
    # hand-computed: Σ value·3^i mod 31 over 91350100M000100Y4 → 31 - (sum mod 31) = 3
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(ALPHABET.index(c) * w for c, w in zip("91350100M000100Y4", weights, strict=True))
    assert ALPHABET[(31 - total % 31) % 31] == check_character("91350100M000100Y4") == "3"


def test_make_credit_code_round_trips() -> None:
    assert is_valid_credit_code(make_credit_code("91410100MA44XW4B0"))
