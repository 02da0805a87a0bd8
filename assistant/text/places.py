"""Countries, and the words that name them ("Kenya", "Kenyan", "Kenya's"), to tell which country a
question or a passage is about."""

from __future__ import annotations

import re
from functools import lru_cache

_NAMES = {
    "Afghanistan": ("Afghanistan", "Afghan"),
    "Australia": ("Australia", "Australian"),
    "Bangladesh": ("Bangladesh", "Bangladeshi"),
    "Burundi": ("Burundi", "Burundian"),
    "Canada": ("Canada", "Canadian"),
    "China": ("China", "Chinese"),
    "Congo": ("Congo", "Congolese", "DRC"),
    "Djibouti": ("Djibouti",),
    "Egypt": ("Egypt", "Egyptian"),
    "Eritrea": ("Eritrea", "Eritrean"),
    "Ethiopia": ("Ethiopia", "Ethiopian"),
    "European Union": ("European Union", "EU"),
    "France": ("France", "French"),
    "Germany": ("Germany", "German"),
    "Ghana": ("Ghana", "Ghanaian"),
    "India": ("India", "Indian"),
    "Indonesia": ("Indonesia", "Indonesian"),
    "Iran": ("Iran", "Iranian"),
    "Iraq": ("Iraq", "Iraqi"),
    "Italy": ("Italy", "Italian"),
    "Japan": ("Japan", "Japanese"),
    "Jordan": ("Jordan", "Jordanian"),
    "Kenya": ("Kenya", "Kenyan"),
    "Libya": ("Libya", "Libyan"),
    "Malaysia": ("Malaysia", "Malaysian"),
    "Morocco": ("Morocco", "Moroccan"),
    "Nepal": ("Nepal", "Nepalese", "Nepali"),
    "Nigeria": ("Nigeria", "Nigerian"),
    "Oman": ("Oman", "Omani"),
    "Pakistan": ("Pakistan", "Pakistani"),
    "Qatar": ("Qatar", "Qatari"),
    "Rwanda": ("Rwanda", "Rwandan"),
    "Saudi Arabia": ("Saudi Arabia", "Saudi"),
    "Somalia": ("Somalia", "Somali"),
    "South Africa": ("South Africa", "South African"),
    "South Sudan": ("South Sudan", "South Sudanese"),
    "Sri Lanka": ("Sri Lanka", "Sri Lankan"),
    "Sudan": ("Sudan", "Sudanese"),
    "Tanzania": ("Tanzania", "Tanzanian"),
    "Turkey": ("Turkey", "Türkiye", "Turkish"),
    "Uganda": ("Uganda", "Ugandan"),
    "United Arab Emirates": ("United Arab Emirates", "UAE", "Emirati"),
    "United Kingdom": ("United Kingdom", "UK", "U.K.", "Britain", "British", "England", "English"),
    "United States": ("United States", "USA", "U.S.", "American"),
    "Yemen": ("Yemen", "Yemeni"),
}
"""Each country, and the words that name it (its name first)."""


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    words = {word.lower(): country for country, names in _NAMES.items() for word in names}
    alternatives = sorted(words, key=len, reverse=True)
    # Longest first: "Sudan" inside "South Sudan" is South Sudan's.
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(w) for w in alternatives) + r")(?![\w])", re.I), words


def countries_in(text: str) -> frozenset[str]:
    """The countries (and the EU) that `text` names, by name or adjective (case-insensitive for names,
    exact case for abbreviations such as "UK" and "EU")."""
    pattern, words = _pattern()
    found = set()
    for match in pattern.finditer(text):
        word = match.group(1)
        if len(word) <= 3 and not word.isupper():  # "uk", "eu", "us" in lower case are not the abbreviations
            continue
        found.add(words[word.lower()])
    return frozenset(found)
