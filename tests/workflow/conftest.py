"""Fixtures: an analyst's own files (written once per session) read as a new user would."""

from __future__ import annotations

import html
import re
from pathlib import Path

import geopandas as gpd
import pytest

import habitat

from .own_area import write_own_study_area

#: words of the bundled Primorsky study area that must never show up in a New York report
BUNDLED_WORDS = re.compile(r"\b(Leopard|Primorsky|Kedrovaya|China|Chinese|Border|Russia)\b")


@pytest.fixture(scope="session")
def own(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files of :func:`write_own_study_area`, in a session folder (read-only in tests)."""
    return write_own_study_area(tmp_path_factory.mktemp("own_study_area"))


@pytest.fixture(scope="session")
def fishers(own: dict[str, Path]) -> gpd.GeoDataFrame:
    """The fishers' Movebank export read with its reference table (sexes F, F, M)."""
    return habitat.read_relocations(own["fishers"], reference=own["fishers_reference"])


@pytest.fixture(scope="session")
def albatrosses(own: dict[str, Path]) -> gpd.GeoDataFrame:
    """The seabirds' Movebank export, read without a speed limit."""
    return habitat.read_relocations(own["albatrosses"])


def bundled_words_in(folder: Path) -> dict[str, list[str]]:
    """Bundled-area words found in the text files (html, csv, json, txt, md) under ``folder``."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in {".html", ".csv", ".json", ".txt", ".md", ".svg"}:
            continue
        words = sorted(
            set(BUNDLED_WORDS.findall(path.read_text(encoding="utf-8", errors="replace")))
        )
        if words:
            found[str(path.relative_to(folder))] = words
    return found


def visible_text(path: Path) -> str:
    """The text a reader sees on an HTML page (no scripts, styles or tags), on one line."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()
