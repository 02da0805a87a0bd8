"""Table rows as self-contained sentences, whatever found the table.

A row of figures names its row and every column: "Islamabad Zone: B/F on 01.01.23 1471;
registered 2540; total 4011; challaned 237; closed/transferred 659; pending on 31.12.23 3115."
A row of text keeps "Header: cell" parts: "Entry 1: Breach ... — Penalty: May extend to ...".
Totals are rows like any other ("Total: ..."). Each statement is one sentence for
`split_sentences`, so an answerer quotes exactly one row with its column names.
"""

from __future__ import annotations

import re

from assistant.text.sentences import split_sentences

_FIGURE = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
_NUMBER = re.compile(
    rf"^[(]?[-+−]?(?:(?:Rs|PKR|USD|US\$|\$|€|£)\.?\s?)?{_FIGURE}(?:\s?[-+=]\s?{_FIGURE})*\s?%?[)]?\*?(?:/-)?$"
    r"|^[-–—]+$|^(?:nil|n/?a)$", re.I)
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_SERIAL = re.compile(r"^(\d{1,3}[A-Z]?\.?|[ivxlc]+\.?|\([a-z0-9]+\))$", re.I)
_SERIAL_HEADER = re.compile(r"^(s\.?\s*no\b|sr\b|sl\b|serial\b|no\.?$|#|item\b|entry\b)", re.I)
_TITLE_WORD = re.compile(r"\b[A-Z][a-z]+\b")
_STOP = re.compile(r"([.!?])(['\")\]]*)$")


def is_number(text: str) -> bool:
    """A cell that holds a figure: "1471", "13,949", "0.004122", "12%", "Rs. 4.32", "888+40=928*", "-", "Nil"."""
    return bool(_NUMBER.match(text.strip()))


def is_year(text: str) -> bool:
    return bool(_YEAR.match(text.strip()))


def cell_text(text: str) -> str:
    """A cell's text on one line: "Closed/ Transferred" -> "Closed/Transferred", "Regis- tered" -> "Registered"."""
    text = " ".join(text.split())
    text = re.sub(r"(?<=[^\W\d_])/ (?=\w)", "/", text)
    return re.sub(r"(?<=[^\W\d_])- (?=[a-z])", "", text)


def column_name(header: str) -> str:
    """A column header as it reads inside a sentence: "Pending On 31.12.23" -> "pending on 31.12.23";
    upper-case abbreviations ("B/F", "CRR") stay as they are."""
    return _TITLE_WORD.sub(lambda m: m.group(0).lower(), cell_text(header)).rstrip(" .:")


def one_sentence(text: str) -> str:
    """`text` with the sentence breaks inside it removed, so a splitter keeps it whole: "Currency.
    Worth Rs. 184" -> "Currency; Worth Rs 184" (a short abbreviation loses its full stop)."""
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        return text
    joined = []
    for sentence in sentences[:-1]:
        stop = _STOP.search(sentence)
        if stop is None:
            joined.append(sentence)
            continue
        word = re.search(r"(\w+)$", sentence[:stop.start()])
        abbreviation = stop.group(1) == "." and word is not None and len(word.group(1)) <= 3 and word.group(1).isalpha()
        joined.append(sentence[:stop.start()] + stop.group(2) + ("" if abbreviation else ";"))
    return " ".join(joined + [sentences[-1]])


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def row_statement(header: list[str], cells: list[str]) -> str:
    """One sentence for one table row (see the module docstring); "" for a row with no text.

    `header` holds a name per column ("" where a column has none); the first column is the
    row's label. A first column of serial numbers gives "Entry N: "; a label that is a figure
    takes its column's name ("Year 2023: ...")."""
    cells = [cell_text(c).rstrip(" .;") for c in cells]
    header = [cell_text(h) for h in header] + [""] * (len(cells) - len(header))
    if not any(cells):
        return ""
    while not cells[0]:
        cells, header = cells[1:], header[1:]
    prefix = ""
    if len(cells) > 2 and _SERIAL.match(cells[0]) and (not header[0] or _SERIAL_HEADER.match(header[0])):
        prefix, cells, header = f"Entry {cells[0].rstrip('.')}: ", cells[1:], header[1:]
    label, values, names = cells[0], cells[1:], header[1:len(cells)]
    if label and is_number(label) and header[0]:
        label = f"{header[0].rstrip(' .:')} {label}"
    if any(values) and all(is_number(v) for v in values if v):
        body = "; ".join(f"{column_name(n)} {v}".strip() for n, v in zip(names, values) if v)
        text = f"{label}: {body}" if label else body
    else:
        labelled = [label] + [f"{n.rstrip(' .:')}: {v}" if n and n != v else v for n, v in zip(names, values) if v]
        text = " — ".join(x for x in labelled if x)
    return _capitalised(one_sentence(prefix + text)) + "."


def header_line(header: list[str]) -> str:
    """The column header as one line, repeated at the head of every passage of the table."""
    names = [cell_text(h).rstrip(" .:") for h in header]
    return one_sentence("Columns: " + "; ".join(n for n in names if n)) + "." if any(names) else ""
