"""Finding a Simplified Chinese font on Linux, Windows and macOS, tested on fake font folders laid out as each
system lays them out, holding tiny real fonts (built here with fontTools) named as the system's fonts are."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont

from silian.domain.errors import SilianError
from silian.reports.fonts import PROBE_TEXT, find_cjk_face, font_dirs, font_face_bytes, forget_found_fonts


def tiny_font(family: str, subfamily: str = "Regular", chinese: bool = True) -> TTFont:
    """A real TrueType font of one square glyph, mapping the probe characters (or only Latin letters)."""
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "box"])
    characters = PROBE_TEXT + "AB" if chinese else "AB"
    builder.setupCharacterMap({ord(c): "box" for c in characters})
    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 700), (600, 700), (600, 0)):
        (pen.lineTo if x != 100 or y != 0 else pen.moveTo)((x, y))
    pen.closePath()
    glyph = pen.glyph()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": glyph})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "box": (700, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": subfamily})
    builder.setupOS2()
    builder.setupPost()
    return builder.font


def write_font(path: Path, *faces: TTFont) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection()
        collection.fonts = list(faces)
        collection.save(str(path))
    else:
        faces[0].save(str(path))
    return path


def search(folders: tuple[Path, ...], bold: bool = False) -> tuple[str, int, str]:
    forget_found_fonts()  # the folders changed since the last search
    face = find_cjk_face(bold=bold, fc_match=None, search_dirs=folders)
    return face.path.name, face.index, face.family


def test_windows_fonts_folder_yahei_first_then_simhei_and_simsun(tmp_path: Path) -> None:
    folders = font_dirs("win32", {"WINDIR": str(tmp_path / "Windows")}, home=tmp_path / "me")
    assert folders[0] == tmp_path / "Windows" / "Fonts"
    fonts = folders[0]
    write_font(fonts / "simsun.ttc", tiny_font("SimSun"), tiny_font("NSimSun"))
    assert search(folders) == ("simsun.ttc", 0, "SimSun")
    write_font(fonts / "simhei.ttf", tiny_font("SimHei"))
    assert search(folders) == ("simhei.ttf", 0, "SimHei")
    write_font(fonts / "msyh.ttc", tiny_font("Microsoft YaHei UI"), tiny_font("Microsoft YaHei"))
    write_font(fonts / "msyhbd.ttc", tiny_font("Microsoft YaHei", "Bold"), tiny_font("Microsoft YaHei UI", "Bold"))
    assert search(folders) == ("msyh.ttc", 1, "Microsoft YaHei")  # the face named exactly, not the UI one
    assert search(folders, bold=True) == ("msyhbd.ttc", 0, "Microsoft YaHei")


def test_windows_per_user_fonts_are_searched_too(tmp_path: Path) -> None:
    folders = font_dirs("win32", {"WINDIR": str(tmp_path / "Windows"), "LOCALAPPDATA": str(tmp_path / "Local")})
    write_font(tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts" / "simhei.ttf", tiny_font("SimHei"))
    assert search(folders) == ("simhei.ttf", 0, "SimHei")


def test_macos_pingfang_hiragino_and_stheiti(tmp_path: Path) -> None:
    home = tmp_path / "me"
    system = font_dirs("darwin", {}, home=home)
    assert Path("/System/Library/Fonts") in system and home / "Library/Fonts" in system
    folders = (tmp_path / "System/Library/Fonts", tmp_path / "AssetsV2", home / "Library/Fonts")
    write_font(folders[0] / "STHeiti Light.ttc", tiny_font("Heiti TC", "Light"), tiny_font("Heiti SC", "Light"))
    assert search(folders) == ("STHeiti Light.ttc", 1, "Heiti SC")
    write_font(folders[2] / "Hiragino Sans GB.ttc", tiny_font("Hiragino Sans GB", "W3"), tiny_font("Hiragino Sans GB", "W6"))
    assert search(folders) == ("Hiragino Sans GB.ttc", 0, "Hiragino Sans GB")
    asset = folders[1] / "com_apple_MobileAsset_Font7" / "abc.asset" / "AssetData" / "PingFang.ttc"
    write_font(asset, tiny_font("PingFang HK"), tiny_font("PingFang SC", "Semibold"), tiny_font("PingFang SC"))
    assert search(folders) == ("PingFang.ttc", 2, "PingFang SC")  # the regular SC face of the collection


def test_linux_folders_and_noto_before_system_fonts(tmp_path: Path) -> None:
    assert font_dirs("linux", {}, home=tmp_path)[2] == tmp_path / ".local/share/fonts"
    folder = tmp_path / "fonts"
    write_font(folder / "wqy-zenhei.ttc", tiny_font("WenQuanYi Zen Hei"))
    assert search((folder,)) == ("wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei")
    write_font(folder / "msyh.ttc", tiny_font("Microsoft YaHei"))
    write_font(folder / "opentype" / "NotoSansCJK-Regular.ttc", tiny_font("Noto Sans CJK JP"), tiny_font("Noto Sans CJK SC"))
    assert search((folder,)) == ("NotoSansCJK-Regular.ttc", 1, "Noto Sans CJK SC")


def test_a_file_named_like_a_chinese_font_without_chinese_glyphs_is_passed_over(tmp_path: Path) -> None:
    write_font(tmp_path / "msyh.ttc", tiny_font("Microsoft YaHei", chinese=False))
    (tmp_path / "simsun.ttc").write_bytes(b"not a font at all")
    forget_found_fonts()
    with pytest.raises(SilianError, match="Microsoft YaHei|微软雅黑"):
        find_cjk_face(fc_match=None, search_dirs=(tmp_path,))
    write_font(tmp_path / "simhei.ttf", tiny_font("SimHei"))
    assert search((tmp_path,)) == ("simhei.ttf", 0, "SimHei")


def test_the_chosen_face_of_a_collection_is_extracted_alone(tmp_path: Path) -> None:
    write_font(tmp_path / "PingFang.ttc", tiny_font("PingFang TC"), tiny_font("PingFang SC"))
    forget_found_fonts()
    face = find_cjk_face(fc_match=None, search_dirs=(tmp_path,))
    data = font_face_bytes(face)
    assert data[:4] != b"ttcf"
    assert face.family == "PingFang SC"
