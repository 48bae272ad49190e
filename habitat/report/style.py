"""Labels and colours shared by the report's pages and figures."""

from __future__ import annotations

__all__ = ["METHOD_LABELS", "SEX_COLOURS", "SEX_LABELS"]

#: display names of the sex codes
SEX_LABELS: dict[str, str] = {"F": "Female", "M": "Male"}
#: colours of the sexes in figures (colour-blind safe pair)
SEX_COLOURS: dict[str, str] = {"F": "#d6604d", "M": "#4393c3"}
#: display names of the home-range methods
METHOD_LABELS: dict[str, str] = {
    "mcp": "MCP",
    "kde": "KDE",
    "locoh": "LoCoH",
    "bbmm": "BBMM",
    "given": "Given",
}
