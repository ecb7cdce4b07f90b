"""The password policy: length, the username, and zxcvbn's judgement named in the user's language."""

from __future__ import annotations

import pytest

from silian.domain.messages import current_lang
from silian.services.password_policy import password_problem


@pytest.mark.parametrize(("password", "zh", "en"), [
    ("short", "至少需要 10 个字符", "at least 10 characters"),
    ("aaaaaaaaaaaa", "重复", "repeated"),
    ("1234567890", "常见密码", "common password"),  # zxcvbn knows it as a leaked password before a sequence
    ("abcdefghijklm", "连续", "run of digits or letters"),
    ("asdfghjkl;'", "键盘", "neighbouring keys"),
    ("password1234", "常见密码", "common password"),
    ("woaini1314", "常见密码", "common password"),
    ("zhang-san-2024!", "用户名", "username"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, zh: str, en: str) -> None:
    problem = password_problem(password, username="zhang-san")
    assert problem is not None and zh in problem and ("建议" in problem or len(password) < 10)
    token = current_lang.set("en")
    try:
        english = password_problem(password, username="zhang-san")
    finally:
        current_lang.reset(token)
    assert english is not None and en in english and not any("\u4e00" <= ch <= "\u9fff" for ch in english)


@pytest.mark.parametrize("password", ["a long enough password", "river lamp pencil seven", "Xk9#mq2Lp0-yT",
                                      "黄河 路灯 铅笔 7 号"])
def test_strong_passwords_pass(password: str) -> None:
    assert password_problem(password, username="zhang-san") is None
