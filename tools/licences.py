"""Third-party licences: which packages the assistant ships with, under which licences, and whether each
can be combined with this project's licence, the GNU AGPL-3.0-or-later.

    python tools/licences.py docs/third-party-licences.md    # what `make licences` runs

The packages are those a plain `pip install` of the project brings in: its requirements and theirs, with
their extras, read from the installed packages' metadata (never the `test` or `bench` extras, which are
not part of the program). What each declares is read by pip-licenses: the SPDX `License-Expression` when
there is one, else the `License` field, else the Trove classifiers. `incompatible()` judges that against
`AGPL_COMPATIBLE`, an explicit allow-list; tests/test_licences.py fails on any package it does not clear.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "study-visit-briefing-assistant"
UNKNOWN = "UNKNOWN"

# Licences a work under the GNU AGPL-3.0-or-later may include: the FSF's list of licences compatible with
# GPLv3 (https://www.gnu.org/licenses/license-list.html), which AGPLv3 section 13 extends to the AGPL.
AGPL_COMPATIBLE = {
    # The AGPL itself, and GPLv3 (AGPLv3 section 13 allows combining the two).
    "AGPL-3.0-only", "AGPL-3.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later",
    "LGPL-2.1-or-later",
    # Permissive licences that ask only for notices to be kept.
    "MIT", "MIT-CMU", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "ISC", "Zlib", "BSL-1.0", "HPND", "Unlicense",
    "CC0-1.0",
    # Apache 2.0 is compatible with GPLv3 (not with GPLv2); the LLVM exception only adds permissions.
    "Apache-2.0", "Apache-2.0 WITH LLVM-exception",
    # Python's own licence (2.1.1 and later), which the FSF lists as compatible.
    "PSF-2.0", "Python-2.0",
    # MPL 2.0 files may be combined with GPL-family code (MPL 2.0 section 3.3) unless marked
    # "Incompatible With Secondary Licenses", which none of these packages is.
    "MPL-2.0",
}

# What packages write in place of an SPDX identifier, each mapped to the identifier it names.
ALIASES = {
    "MIT License": "MIT",
    "3-Clause BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",  # the Trove classifier names no version; Apache 1.x ended in 2004
    "Apache License, Version 2.0": "Apache-2.0",
    "Apache License Version 2.0": "Apache-2.0",
    "Apache 2.0 License": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "Apache License 2.0": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "ISC License": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
}

# "BSD" with no version (the bare name, or the Trove classifier "BSD License") is read from the package's
# licence files: the 4-clause text (with the advertising clause) is not GPL-compatible, the others are.
UNVERSIONED_BSD = ("BSD License", "BSD")
_ADVERTISING_CLAUSE = re.compile(r"all advertising materials mentioning", re.I)

# Packages whose declaration no rule above can read, each judged here by hand, with the reason.
REVIEWED = {
    # PyMuPDF: "Dual Licensed - GNU AFFERO GPL 3.0 or Artifex Commercial License". Its AGPL-3.0 is this
    # project's own licence; it is why the project is AGPL.
    "pymupdf": "AGPL-3.0 (or Artifex's commercial licence)",
    # regex: "Apache-2.0 AND CNRI-Python". Its CNRI part is code derived from CPython 2.6/3.1's `re` module,
    # which CPython distributes under its PSF licence stack (the FSF lists it as GPL-compatible); the
    # CNRI licence of Python 1.6.1 itself was amended to be GPL-compatible. A judgement: review it if in doubt.
    "regex": "Apache-2.0, and CPython's `re` code under the PSF/CNRI Python licence stack",
}


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    declared: str
    """The licence as the package declares it (SPDX expression, `License` field or classifiers)."""
    url: str = ""
    empty: bool = False
    """The package installs no files but its own metadata (nothing in it to license)."""
    advertising_clause: bool = False
    """Its licence files hold the 4-clause BSD advertising clause."""


def runtime_packages(root: str = PROJECT) -> set[str]:
    """Canonical names of the installed packages a plain install of `root` brings in (not `root` itself)."""
    seen: dict[str, set[str]] = {}
    todo = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # a requirement for another platform or Python
        key = canonicalize_name(dist.metadata["Name"])
        if key in seen and extras <= seen[key]:
            continue
        seen.setdefault(key, set()).update(extras)
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                todo.append((requirement.name, frozenset(requirement.extras)))
    seen.pop(canonicalize_name(root), None)
    return set(seen)


def _declared(row: dict) -> str:
    expression, metadata, classifier = (row.get(key, UNKNOWN) for key in
                                        ("License-Expression", "License-Metadata", "License-Classifier"))
    if expression != UNKNOWN:
        return expression
    first_line = metadata.strip().splitlines()[0].strip() if metadata.strip() else UNKNOWN
    # A name, or a licence text opening with its name; a text opening with its copyright line names nothing.
    if metadata != UNKNOWN and len(first_line) <= 100 and not first_line.lower().startswith("copyright"):
        return first_line
    return classifier


def _empty(name: str) -> bool:
    files = distribution(name).files or []
    return all(".dist-info" in str(file.parent) or str(file).endswith(".dist-info") for file in files)


def _advertising_clause(name: str) -> bool:
    files = [f for f in distribution(name).files or [] if ".dist-info" in str(f) and re.search(r"LICEN[CS]E|COPYING", f.name, re.I)]
    return any(_ADVERTISING_CLAUSE.search(f.locate().read_text(encoding="utf-8", errors="replace")) for f in files)


def read_packages(names: set[str] | None = None, python: str = sys.executable) -> list[Package]:
    """What pip-licenses reads of each package's metadata (all sources: expression, field, classifiers)."""
    names = runtime_packages() if names is None else names
    pip_licenses = Path(python).with_name("pip-licenses")
    result = subprocess.run([str(pip_licenses), "--from=all", "--format=json", "--with-urls", "--with-system",
                             "--python", python, "--packages", *sorted(names)],
                            capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    return [Package(row["Name"], row["Version"], _declared(row), row["URL"] if row.get("URL", UNKNOWN) != UNKNOWN else "",
                    _empty(row["Name"]), _advertising_clause(row["Name"])) for row in rows]


def _terms(expression: str) -> list[list[str]]:
    """An expression as alternatives (OR) of licences all required (AND): "A AND (B OR C)" -> [[A, B], [A, C]].
    Classifiers joined by "; " and licences listed with ", " count as all required (the careful reading)."""
    tokens = re.findall(r"\(|\)|[^\s()]+(?:\s+WITH\s+[^\s()]+)?", expression.replace(";", " AND ").replace(",", " AND "))

    def parse(position: int) -> tuple[list[list[str]], int]:
        options: list[list[str]] = [[]]
        while position < len(tokens):
            token = tokens[position]
            if token == ")":
                return options, position + 1
            if token == "(":
                inner, position = parse(position + 1)
                options = [mine + theirs for mine in options for theirs in inner]
                continue
            position += 1
            if token.upper() == "AND":
                continue
            if token.upper() == "OR":
                rest, position = parse(position)
                return options + rest, position
            options = [mine + [token] for mine in options]
        return options, position

    return parse(0)[0]


def normalised(package: Package) -> str:
    """A package's declaration with each known alias replaced by its SPDX identifier."""
    bsd = "BSD-4-Clause" if package.advertising_clause else "BSD-3-Clause"
    aliases = ALIASES | {name: bsd for name in UNVERSIONED_BSD}
    text = package.declared.strip()
    for alias in sorted(aliases, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", aliases[alias], text)
    return text


def incompatible(package: Package) -> str | None:
    """Why a package's licence cannot be combined with the AGPL (None when it can)."""
    if canonicalize_name(package.name) in REVIEWED:
        return None
    if package.empty:
        return None
    if package.declared == UNKNOWN:
        return f"{package.name} {package.version} declares no licence"
    options = _terms(normalised(package))
    if any(option and all(term in AGPL_COMPATIBLE for term in option) for option in options):
        return None
    return f"{package.name} {package.version}: {package.declared!r} is not on the AGPL allow-list"


def markdown(packages: list[Package]) -> str:
    """docs/third-party-licences.md."""
    lines = [
        "# Third-party licences",
        "",
        "The study-visit briefing assistant is licensed under the GNU Affero General Public License, version 3",
        "or later (`LICENSE`). These are the packages a plain install of it brings in, with the licence each",
        "declares in its metadata, as read by pip-licenses. Generated by `make licences` (`tools/licences.py`);",
        "do not edit by hand. `tests/test_licences.py` fails when one of them is not compatible with the AGPL.",
        "",
        "Not packages, and not listed below: the answer models (`assistant/answer/models/`) are derived in part",
        "from SQuAD 2.0, CC BY-SA 4.0, which Creative Commons declared one-way compatible with GPLv3 in 2015 (the",
        "rest of their training data is this project's own questions and generated tables); Tesseract (Apache-2.0), which reads",
        "scanned pages, and Chromium, which only the tests drive, are Debian packages run as separate programs.",
        "",
        "| package | version | licence | compatible with the AGPL | home page |",
        "|---|---|---|---|---|",
    ]
    for package in sorted(packages, key=lambda p: p.name.lower()):
        name = canonicalize_name(package.name)
        verdict = ("yes: " + REVIEWED[name] if name in REVIEWED else "yes: an empty package (no code)" if package.empty
                   else "**no**" if incompatible(package) else "yes")
        declared = " ".join(package.declared.split()) if package.declared != UNKNOWN else "(none declared)"
        lines.append(f"| {package.name} | {package.version} | {declared} | {verdict} | {package.url} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("docs/third-party-licences.md")
    packages = read_packages()
    out.write_text(markdown(packages), encoding="utf-8")
    problems = [reason for reason in map(incompatible, packages) if reason]
    print(f"wrote {out}: {len(packages)} packages, {len(problems)} not compatible with the AGPL")
    for reason in problems:
        print(f"  {reason}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
