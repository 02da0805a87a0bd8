"""Synthetic statistics tables, so that the answer models learn to look a figure up in a table.

No training document holds tables of figures (the one statistical report of the corpus, the FIA's,
is a test document), yet officials ask for figures by row, column and table. These reports are
generated, seeded: each is a Markdown document of tables under their captions, every row one
sentence naming its row and each column ("Northern Region: arrivals 1204; departures 988; ...", as
the loaders write real tables), and questions are generated about them: a figure by row and column,
a total, two columns of one row, and traps (a row, a year or a column the table does not have).
The domains, row names and column names are generic public-statistics ones, not any test document's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

SEED = 13

# An agency, what its rows are and their names, and its tables: (caption, columns as (name in the row statement,
# how a question says it)). The rows of one agency's tables are the same places, as in real reports, so the caption
# and the column tell the tables apart.
AGENCIES = (
    ("National Immigration Service", "entry point",
     ("Central Airport", "Harbour Terminal", "Northern Land Border", "Eastern Land Border", "Lake Port", "Southern Airport",
      "Western Rail Crossing"),
     (("Passengers processed by entry point", (("arrivals", "arrivals"), ("departures", "departures"),
                                                ("refused entry", "travellers refused entry"))),
      ("Visas issued on arrival", (("tourist", "tourist visas"), ("business", "business visas"), ("transit", "transit visas"))),
      ("Offloading of travellers", (("offloaded", "travellers offloaded"), ("documents forged", "forged documents detected"),
                                    ("referred to police", "travellers referred to the police"))))),
    ("Customs Revenue Authority", "station",
     ("Port Station", "Airport Cargo Station", "Inland Depot", "Border Post A", "Border Post B", "Postal Hub"),
     (("Seizures by customs station", (("cases", "seizure cases"), ("value in millions", "value in millions of the goods seized"),
                                       ("arrests", "arrests"))),
      ("Revenue collected", (("import duty", "import duty collected"), ("excise", "excise collected"),
                             ("penalties", "penalties collected"))),
      ("Prosecutions", (("filed", "prosecutions filed"), ("convicted", "convictions"), ("acquitted", "acquittals"))))),
    ("Judiciary Statistics Office", "district",
     ("Capital District", "River District", "Hill District", "Coastal District", "Valley District", "Plains District"),
     (("Criminal cases", (("brought forward", "criminal cases brought forward"), ("filed", "criminal cases filed"),
                          ("decided", "criminal cases decided"), ("pending at year end", "criminal cases pending at year end"))),
      ("Civil suits", (("filed", "civil suits filed"), ("decided", "civil suits decided"),
                       ("pending at year end", "civil suits pending at year end"))),
      ("Appeals", (("lodged", "appeals lodged"), ("allowed", "appeals allowed"), ("dismissed", "appeals dismissed"))))),
    ("Passport and Civil Registry Office", "office",
     ("Capital Office", "North Office", "South Office", "East Office", "West Office", "Mission Abroad"),
     (("Passports issued", (("ordinary", "ordinary passports issued"), ("official", "official passports issued"),
                            ("diplomatic", "diplomatic passports issued"))),
      ("Identity cards", (("new cards", "new identity cards"), ("renewals", "identity card renewals"),
                          ("duplicates", "duplicate identity cards"))),
      ("Birth registrations", (("registered on time", "births registered on time"),
                               ("registered late", "births registered late"))))),
    ("Police Service", "region",
     ("Metropolitan Region", "Northern Region", "Southern Region", "Eastern Region", "Western Region", "Border Region"),
     (("Offences reported", (("reported", "offences reported"), ("investigated", "offences investigated"),
                             ("charged", "persons charged"))),
      ("Human trafficking cases", (("registered", "trafficking cases registered"), ("victims rescued", "victims rescued"),
                                   ("convicted", "traffickers convicted"))),
      ("Proclaimed offenders", (("added", "proclaimed offenders added"), ("arrested", "proclaimed offenders arrested"),
                                ("pending", "proclaimed offenders still at large"))))),
    ("Labour Migration Bureau", "destination",
     ("Gulf States", "East Asia", "Europe", "North America", "Neighbouring Countries", "Other Destinations"),
     (("Workers registered for employment abroad", (("men", "men registered"), ("women", "women registered"))),
      ("Complaints from workers abroad", (("received", "complaints received"), ("resolved", "complaints resolved"))),
      ("Remittances", (("amount in millions", "remittances in millions"),)))),
)
YEARS = (2017, 2018, 2019, 2020, 2021, 2022)


@dataclass(frozen=True)
class TableQuestion:
    doc: str
    question: str
    answerable: bool
    facts: list[list[str]]


def _row(name: str, values: list[tuple[str, int]]) -> str:
    return f"{name}: " + "; ".join(f"{column} {value}" for column, value in values) + "."


def write_reports(folder: Path, seed: int = SEED) -> list[TableQuestion]:
    """Write one report per agency into `folder` and return the questions generated about them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[TableQuestion] = []
    for agency, kind, rows, tables in AGENCIES:
        year = rng.choice(YEARS)
        doc = f"{agency.lower().replace(' ', '-')}-{year}.md"
        kept = rows[:rng.randint(4, len(rows) - 1)]
        lines = [f"---\ntitle: \"{agency} Annual Statistical Report {year}\"\ndate: {year}\nkind: report\n---\n",
                 f"# {agency} Annual Statistical Report {year}\n",
                 f"The {agency} publishes the figures below for the year {year}, by {kind}.\n"]
        for number, (caption, columns) in enumerate(tables, start=1):
            data = {row: [(c, rng.randint(0, 5000)) for c, _ in columns] for row in kept}
            total = [(c, sum(data[r][i][1] for r in kept)) for i, (c, _) in enumerate(columns)]
            lines += [f"## {number}. {caption}, {year}\n"] + [_row(row, data[row]) + "\n" for row in kept]
            lines.append(_row("Total", total) + "\n")
            questions += _questions(rng, doc, agency, kind, year, caption, columns, kept, data, total)
        (folder / doc).write_text("\n".join(lines), encoding="utf-8")
        missing = rows[len(kept)]
        caption, columns = tables[0]
        questions.append(TableQuestion(doc, f"How many {columns[0][1]} did the {agency}'s {missing} record in {year}?",
                                       False, []))
        other_year = rng.choice([y for y in YEARS if y != year])
        questions.append(TableQuestion(doc, f"How many {columns[-1][1]} did {kept[0]} record in {other_year}, according "
                                            f"to the {agency}?", False, []))
        questions.append(TableQuestion(doc, f"How many complaints about staff conduct did the {agency} receive at "
                                            f"{kept[1]} in {year}?", False, []))
    return questions


def _questions(rng: random.Random, doc: str, agency: str, kind: str, year: int, caption: str, columns, kept, data,
               total) -> list[TableQuestion]:
    """Questions about one table: a figure by row and column (asked three ways), two columns of a row, a total."""
    result = []
    for row in rng.sample(list(kept), min(3, len(kept))):
        i = rng.randrange(len(columns))
        asked, value = columns[i][1], str(data[row][i][1])
        result.append(TableQuestion(doc, rng.choice((
            f"How many {asked} did the {agency}'s {row} record in {year}?",
            f"According to the {agency}'s {year} report, what was the figure for {asked} at {row}?",
            f"In the {agency}'s table of {caption.lower()}, what is the number of {asked} for {row}?",
        )), True, [[value]]))
    row = rng.choice(kept)
    if len(columns) > 1:
        i, j = rng.sample(range(len(columns)), 2)
        result.append(TableQuestion(doc, f"How many {columns[i][1]} and how many {columns[j][1]} did {row} have in {year}, "
                                         f"according to the {agency}?", True,
                                    [[str(data[row][i][1])], [str(data[row][j][1])]]))
    i = rng.randrange(len(columns))
    result.append(TableQuestion(doc, f"What was the total number of {columns[i][1]} across all {kind}s reported by the "
                                     f"{agency} for {year}?", True, [[str(total[i][1])]]))
    return result
