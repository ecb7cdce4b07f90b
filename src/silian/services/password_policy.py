"""The password policy: at least ``MIN_PASSWORD`` characters, not the username, and hard to guess.

"Hard to guess" is judged by zxcvbn (PyPI ``zxcvbn``, MIT; the Python port of Dropbox's estimator): it finds the
cheapest way to build the password from common passwords (its bundled frequency lists: 30,000 leaked passwords,
English words, names), repeats (``aaaaaaaaaa``, ``abcabcabc``), sequences (``1234567890``, ``abcdefghij``),
keyboard walks (``qwertyuiop``, ``1qaz2wsx``), dates and l33t spellings, plus the user's own name and a few words
of this platform, and estimates the guesses an attacker needs. A password needs score 3 (about 10⁸ guesses) or
more. The refusal names the weakness zxcvbn found first, in the user's language.
"""

from __future__ import annotations

import threading
from typing import Any

from zxcvbn import zxcvbn

from silian.domain.messages import current_lang, register_messages, t

MIN_PASSWORD = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" (≥ 10⁸ guesses)
CHECKED_LENGTH = 72  # zxcvbn's own limit; the first 72 characters of a longer passphrase are judged
PLATFORM_WORDS = ("silian", "siliansilian", "zhengzhou", "henan", "zhongzhi", "gaozhi", "zhiye", "jiaoyu", "xuexiao",
                  "qiye", "admin", "mima", "woaini", "demo")
_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user's words in a module-level dictionary while it works

register_messages({
    "pw_short": ("密码至少需要 {n} 个字符", "The password needs at least {n} characters"),
    "pw_username": ("密码不能包含用户名或显示名称", "The password may not contain the username or the display name"),
    "pw_repeat": ("密码不能是重复的字符或片段（如 aaaaaaaaaa、abcabcabc）",
                  "The password may not be repeated characters or pieces (like aaaaaaaaaa, abcabcabc)"),
    "pw_sequence": ("密码不能是连续的数字或字母（如 1234567890、abcdefghij）",
                    "The password may not be a run of digits or letters (like 1234567890, abcdefghij)"),
    "pw_keyboard": ("密码不能是键盘上相邻的按键（如 qwertyuiop、1qaz2wsx）",
                    "The password may not be neighbouring keys (like qwertyuiop, 1qaz2wsx)"),
    "pw_date": ("密码不能主要由日期或年份组成", "The password may not be mostly a date or a year"),
    "pw_common": ("这是常见密码（或由常见密码、单词简单变形而来），很容易被猜中",
                  "This is a common password (or a small change to a common password or word): easy to guess"),
    "pw_weak": ("密码太容易被猜中", "The password is too easy to guess"),
    "pw_hint": ("建议用几个互不相关的词或字组成的长句，例如“黄河 路灯 铅笔 7 号”", ("Try a long phrase of a few unrelated "
                "words, like \"river lamp pencil 7\"")),
})
_PATTERN_MESSAGE = {"repeat": "pw_repeat", "sequence": "pw_sequence", "spatial": "pw_keyboard", "date": "pw_date",
                    "regex": "pw_date", "dictionary": "pw_common"}


def password_problem(password: str, *, username: str, display_name: str = "") -> str | None:
    """Why ``password`` is refused (a message in the current language, with a hint), or None when it is fine."""
    if len(password) < MIN_PASSWORD:
        return t("pw_short", n=MIN_PASSWORD)
    lowered = password.lower()
    names = [name.lower() for name in (username, display_name) if len(name) >= 3]
    if any(name in lowered for name in names):
        return f"{t('pw_username')}。{t('pw_hint')}" if _zh() else f"{t('pw_username')}. {t('pw_hint')}"
    with _zxcvbn_lock:
        result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=[*names, *PLATFORM_WORDS])
    if int(result["score"]) >= MIN_SCORE:
        return None
    message = t(_weakness(result["sequence"]))
    return f"{message}。{t('pw_hint')}" if _zh() else f"{message}. {t('pw_hint')}"


def _weakness(matches: list[dict[str, Any]]) -> str:
    """The message of the longest weak piece zxcvbn found (bruteforce pieces are not a named weakness)."""
    named = [m for m in matches if m["pattern"] in _PATTERN_MESSAGE]
    if not named:
        return "pw_weak"
    longest = max(named, key=lambda m: len(m["token"]))
    if longest["pattern"] == "dictionary" and longest.get("dictionary_name") == "user_inputs":
        return "pw_common"
    return _PATTERN_MESSAGE[longest["pattern"]]


def _zh() -> bool:
    return current_lang.get() != "en"
