"""Where a posting is: city (and county where given) text → GB/T 2260 codes.

Real texts: ``郑州``, ``郑州市``, ``郑州-金水区``, ``郑州·高新区``, ``北京-朝阳``, ``江苏`` (a province only),
``上海,北京`` (several cities: the first is taken and the others reported). County names are known for the
regions in the hub (their names with and without the 区/县/市 suffix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEPARATORS = re.compile(r"[-·/|,，、\s]+")
_SUFFIXES = ("特别行政区", "自治州", "地区", "盟", "市", "省", "自治区", "区", "县")


def _stem(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Place:
    """Codes found: province, city, county (each may be None) and what was left out or not understood."""

    province_code: str | None
    city_code: str | None
    county_code: str | None = None
    reason: str = ""
    others: tuple[str, ...] = field(default_factory=tuple)


class PlaceResolver:
    """Resolves place texts with the national city list and the hub's counties (code, name, parent city code)."""

    def __init__(self, cities: list[tuple[str, str, str, str]], counties: list[tuple[str, str, str]] = ()):  # type: ignore[assignment]
        self._cities: dict[str, tuple[str, str]] = {}
        self._provinces: dict[str, str] = {}
        for code, name, province_code, province_name in cities:
            for key in {name, _stem(name)}:
                self._cities.setdefault(key, (province_code, code))
            for key in {province_name, _stem(province_name)}:
                self._provinces.setdefault(key, province_code)
        self._counties: dict[tuple[str, str], str] = {}
        for code, name, parent in counties:
            for key in {name, name.rstrip("区县市") if len(name) > 2 else name}:
                self._counties.setdefault((parent, key), code)

    def resolve(self, text: str | None) -> Place:
        """The place of one posting text."""
        if text is None or not str(text).strip():
            return Place(None, None, reason="empty")
        parts = [p for p in _SEPARATORS.split(str(text).strip()) if p]
        found: Place | None = None
        others: list[str] = []
        for i, part in enumerate(parts):
            city = self._cities.get(part) or self._cities.get(_stem(part))
            if city and found is None:
                county = self._county(city[1], parts[i + 1]) if i + 1 < len(parts) else None
                found = Place(city[0], city[1], county)
                if county:
                    parts[i + 1] = ""
            elif city:
                others.append(part)
            elif found is None and (province := self._provinces.get(part) or self._provinces.get(_stem(part))):
                found = Place(province, None, reason="province only")
        if found is None:
            return Place(None, None, reason="unknown place")
        return Place(found.province_code, found.city_code, found.county_code, found.reason, tuple(others))

    def _county(self, city_code: str, text: str) -> str | None:
        return self._counties.get((city_code, text)) or self._counties.get((city_code, text.rstrip("区县市")))
