"""Locating a Simplified Chinese font for PDF reports, and reading one face out of a font collection.

fontconfig (``fc-match``) is asked first; without it the usual font folders are searched by file name.
Debian and Ubuntu ship Noto Sans CJK as ``.ttc`` collections holding the JP, KR, SC, TC and HK faces, so a
found font is a :class:`FontFace` (file + face index); :func:`font_face_bytes` extracts that one face so
the PDF never falls back to Japanese glyph variants.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from silian.domain.errors import SilianError
from silian.domain.messages import register_messages, t

register_messages({
    "cjk_font_missing": (
        ("找不到中文字体（Noto Sans CJK SC、思源黑体或文泉驿），无法生成 PDF 报告。"
         "请安装字体后重试：sudo apt-get install fonts-noto-cjk（已查找：{searched}）"),
        ("No Chinese font found (Noto Sans CJK SC, Source Han Sans or WenQuanYi), so PDF reports cannot be "
         "made. Install one and try again: sudo apt-get install fonts-noto-cjk (searched: {searched})"),
    ),
})

#: Families that cover Simplified Chinese, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
#: File-name prefixes (lower case) of those families, for the search without fontconfig.
CJK_FILE_PREFIXES = ("notosanscjk", "notosanssc", "sourcehansans", "wqy-zenhei", "wqy-microhei")
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
_FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")
_BOLD_WEIGHT = 200  # fontconfig's FC_WEIGHT_BOLD
_NOT_REGULAR = ("bold", "black", "heavy", "light", "thin", "medium", "mono")


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: ``index`` is the face number inside a ``.ttc`` collection (0 otherwise)."""

    path: Path
    index: int
    family: str
    bold: bool = False


def find_cjk_font() -> Path:
    """The file of the regular Simplified Chinese font; raises :class:`SilianError` when none is installed."""
    return find_cjk_face().path


def find_cjk_face(
    *, bold: bool = False, fc_match: str | None = "fc-match", search_dirs: Sequence[Path] = FONT_DIRS
) -> FontFace:
    """The best Simplified Chinese face, via fontconfig, else by searching ``search_dirs``.

    With ``bold=True`` a real bold face is looked for; :class:`SilianError` is raised when none exists
    (callers then let the renderer embolden the regular face).
    """
    face = _cached_face(bold, fc_match, tuple(search_dirs))
    if face is None:
        _cached_face.cache_clear()  # fonts installed later are found on the next call
        searched = ", ".join(str(d) for d in search_dirs)
        raise SilianError(t("cjk_font_missing", searched=searched))
    return face


@lru_cache(maxsize=16)
def _cached_face(bold: bool, fc_match: str | None, search_dirs: tuple[Path, ...]) -> FontFace | None:
    executable = shutil.which(fc_match) if fc_match else None
    if executable:
        for family in CJK_FAMILIES:
            face = _ask_fontconfig(executable, family, bold)
            if face is not None:
                return face
    return _search_files(search_dirs, bold)


def _ask_fontconfig(executable: str, family: str, bold: bool) -> FontFace | None:
    """fontconfig's match for ``family``, or None when it only offers a substitute."""
    pattern = f"{family}:weight=bold" if bold else family
    try:
        result = subprocess.run([executable, "-f", "%{file}\n%{index}\n%{family}\n%{weight}", pattern],
                                capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) != 4:
        return None
    path, index, families, weight = lines
    names = {name.strip().lower() for name in families.split(",")}
    is_bold = _number(weight) >= _BOLD_WEIGHT
    if family.lower() not in names or is_bold != bold or not Path(path).is_file():
        return None
    return FontFace(Path(path), int(_number(index)), family, bold)


def _number(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        return 0.0


def _search_files(search_dirs: Sequence[Path], bold: bool) -> FontFace | None:
    """The first CJK font file by name (family preference, then path) whose weight matches ``bold``."""
    found: list[Path] = []
    for directory in search_dirs:
        if directory.is_dir():
            found.extend(p for p in directory.rglob("*") if p.suffix.lower() in _FONT_SUFFIXES)
    for prefix in CJK_FILE_PREFIXES:
        for path in sorted(found):
            name = path.name.lower()
            if name.startswith(prefix) and _weight_matches(name, bold):
                index, family = _simplified_chinese_face(path)
                return FontFace(path, index, family, bold)
    return None


def _weight_matches(file_name: str, bold: bool) -> bool:
    if bold:
        return "-bold." in file_name or file_name.endswith("bold.ttc")
    if file_name.startswith(("wqy-zenhei", "wqy-microhei")):
        return True
    return not any(word in file_name for word in _NOT_REGULAR)


def _simplified_chinese_face(path: Path) -> tuple[int, str]:
    """The index and family of the Simplified Chinese face in ``path`` (a collection or a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0, _family(TTFont(path, lazy=True))
    fonts = TTCollection(path, lazy=True).fonts
    families = [_family(font) for font in fonts]
    for wanted in (" SC", " CN", "Zen Hei", "Micro Hei"):
        for index, family in enumerate(families):
            if family.endswith(wanted) and "Mono" not in family:
                return index, family
    return 0, families[0]


def _family(font: TTFont) -> str:
    return str(font["name"].getBestFamilyName() or "")


def font_face_bytes(face: FontFace) -> bytes:
    """The face as a standalone font file: collections are split without touching the glyph data."""
    if face.path.suffix.lower() not in (".ttc", ".otc"):
        return face.path.read_bytes()
    font = TTFont(face.path, fontNumber=face.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()
