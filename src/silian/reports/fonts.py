"""Locating a Simplified Chinese font for PDF reports, and reading one face out of a font collection.

fontconfig (``fc-match``) is asked first; without it (Windows, most Macs) the platform's font folders
(:func:`font_dirs`) are searched by file name: Noto Sans CJK / Source Han Sans first, then the fonts that come
with the system — 微软雅黑 ``msyh.ttc``, 黑体 ``simhei.ttf`` and 宋体 ``simsun.ttc`` on Windows, 苹方
``PingFang.ttc``, 冬青黑体 ``Hiragino Sans GB.ttc`` and 华文黑体 ``STHeiti Light.ttc`` on macOS — then 文泉驿.
A file counts only if it maps a few common Chinese characters. No font is bundled: a CJK font is 10–20 MB, a
subset cannot know which characters a report's school and company names will need, and every supported
system has one (or installs one with its package manager).
Debian and Ubuntu ship Noto Sans CJK as ``.ttc`` collections holding the JP, KR, SC, TC and HK faces, so a
found font is a :class:`FontFace` (file + face index); :func:`font_face_bytes` extracts that one face so
the PDF never falls back to Japanese glyph variants.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from silian.domain.errors import SilianError
from silian.domain.messages import register_messages, t

register_messages({
    "cjk_font_missing": (
        ("找不到中文字体（Noto Sans CJK SC、思源黑体、微软雅黑、宋体、黑体、苹方、冬青黑体、华文黑体或文泉驿），"
         "无法生成 PDF 报告。请安装字体后重试：Linux 上 sudo apt-get install fonts-noto-cjk；"
         "Windows 与 macOS 自带的中文字体会被自动找到（已查找：{searched}）"),
        ("No Chinese font found (Noto Sans CJK SC, Source Han Sans, Microsoft YaHei, SimSun, SimHei, PingFang, "
         "Hiragino Sans GB, STHeiti or WenQuanYi), so PDF reports cannot be made. Install one and try again: on "
         "Linux sudo apt-get install fonts-noto-cjk; the Chinese fonts that come with Windows and macOS are found "
         "by themselves (searched: {searched})"),
    ),
})

#: Families that cover Simplified Chinese, best first (fontconfig's names; also the preferred face of a collection).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei",     # 微软雅黑, Windows: msyh.ttc
    "PingFang SC",         # 苹方, macOS: PingFang.ttc
    "Hiragino Sans GB",    # 冬青黑体, macOS
    "STHeiti",             # 华文黑体, macOS: STHeiti Light.ttc
    "Heiti SC",            # the family name STHeiti's collection gives its SC faces
    "SimHei",              # 黑体, Windows: simhei.ttf
    "SimSun",              # 宋体, Windows: simsun.ttc
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
#: File-name prefixes (lower case) of those families, best first, for the search without fontconfig.
CJK_FILE_PREFIXES = ("notosanscjk", "notosanssc", "sourcehansans", "msyh", "pingfang", "hiragino sans gb",
                     "hiraginosansgb", "stheiti", "simhei", "simsun", "wqy-zenhei", "wqy-microhei")
#: Characters a found file must map, so that a font named like a CJK family but without the glyphs is passed over.
PROBE_TEXT = "郑州职业教育"
_FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")
_BOLD_WEIGHT = 200  # fontconfig's FC_WEIGHT_BOLD
_NOT_REGULAR = ("bold", "black", "heavy", "light", "thin", "medium", "mono", "msyhbd", "msyhl")
_BOLD_NAMES = ("-bold.", "bold.ttc", "msyhbd.", "stheiti medium.", "hiragino sans gb w6.")
_REGULAR_ANYWAY = ("wqy-zenhei", "wqy-microhei", "stheiti light.")  # single-weight files, or named by their light face


def font_dirs(platform: str | None = None, environ: Mapping[str, str] | None = None, home: Path | None = None
              ) -> tuple[Path, ...]:
    """The font folders of ``platform`` (``sys.platform`` by default): Linux (and other Unix) system and user
    folders, Windows' ``%WINDIR%\\Fonts`` and per-user fonts, macOS' system, supplemental, downloaded-asset,
    local and user folders."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    home = home or Path.home()
    if platform.startswith("win"):
        windows = Path(environ.get("WINDIR") or environ.get("SystemRoot") or "C:/Windows")
        local = Path(environ.get("LOCALAPPDATA") or home / "AppData/Local")
        return (windows / "Fonts", local / "Microsoft/Windows/Fonts")
    if platform == "darwin":
        return (Path("/System/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
                Path("/System/Library/AssetsV2"), Path("/Library/Fonts"), home / "Library/Fonts")
    return (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local/share/fonts", home / ".fonts")



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
    *, bold: bool = False, fc_match: str | None = "fc-match", search_dirs: Sequence[Path] | None = None
) -> FontFace:
    """The best Simplified Chinese face, via fontconfig, else by searching ``search_dirs`` (default: this
    platform's font folders, :func:`font_dirs`).

    With ``bold=True`` a real bold face is looked for; :class:`SilianError` is raised when none exists
    (callers then let the renderer embolden the regular face).
    """
    folders = tuple(search_dirs) if search_dirs is not None else font_dirs()
    face = _cached_face(bold, fc_match, folders)
    if face is None:
        _cached_face.cache_clear()  # fonts installed later are found on the next call
        searched = ", ".join(str(d) for d in folders)
        raise SilianError(t("cjk_font_missing", searched=searched))
    return face


def forget_found_fonts() -> None:
    """Search again on the next call (the found face is cached per folder list; call after installing a font)."""
    _cached_face.cache_clear()


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
    """The first CJK font file by name (family preference, then path) whose weight matches ``bold`` and that maps
    the probe characters."""
    found: list[Path] = []
    for directory in search_dirs:
        if directory.is_dir():
            found.extend(p for p in directory.rglob("*") if p.suffix.lower() in _FONT_SUFFIXES)
    for prefix in CJK_FILE_PREFIXES:
        for path in sorted(found):
            name = path.name.lower()
            if name.startswith(prefix) and _weight_matches(name, bold):
                chosen = _simplified_chinese_face(path)
                if chosen is not None:
                    return FontFace(path, chosen[0], chosen[1], bold)
    return None


def _weight_matches(file_name: str, bold: bool) -> bool:
    if bold:
        return any(word in file_name for word in _BOLD_NAMES)
    if file_name.startswith(_REGULAR_ANYWAY):
        return True
    return not any(word in file_name for word in _NOT_REGULAR)


def _simplified_chinese_face(path: Path) -> tuple[int, str] | None:
    """The index and family of the Simplified Chinese face in ``path`` (a collection or a single font), or None
    when the file cannot be read or does not map the probe characters."""
    try:
        fonts = TTCollection(path, lazy=True).fonts if path.suffix.lower() in (".ttc", ".otc") else [TTFont(path, lazy=True)]
        faces = [(index, _family(font), _subfamily(font)) for index, font in enumerate(fonts) if _maps_probe(font)]
    except Exception:  # noqa: BLE001 - a damaged or foreign file in a font folder is skipped, not fatal
        return None
    if not faces:
        return None
    regular_first = sorted(faces, key=lambda face: (face[2] not in ("regular", "w3", "light", ""), face[0]))
    for wanted in CJK_FAMILIES:
        for index, family, _ in regular_first:
            if family == wanted:
                return index, family
    for wanted in (" SC", " CN", " GB", "Zen Hei", "Micro Hei"):
        for index, family, _ in regular_first:
            if family.endswith(wanted) and "Mono" not in family:
                return index, family
    return regular_first[0][0], regular_first[0][1]


def _maps_probe(font: TTFont) -> bool:
    cmap = font.getBestCmap() or {}
    return all(ord(char) in cmap for char in PROBE_TEXT)


def _subfamily(font: TTFont) -> str:
    name = font["name"]
    return str(name.getDebugName(17) or name.getDebugName(2) or "").strip().lower()


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
