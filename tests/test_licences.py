"""Third-party licences (tools/licences.py): every package a plain install brings in has a licence that can be
combined with this project's AGPL-3.0-or-later, judged from the installed packages' metadata as pip-licenses
reads it, and docs/third-party-licences.md lists exactly those packages."""

import re
import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
from licences import Package, incompatible, markdown, read_packages, runtime_packages  # noqa: E402


@pytest.fixture(scope="module")
def packages() -> list[Package]:
    return read_packages()


def test_every_dependency_is_compatible_with_the_agpl(packages):
    assert len(packages) > 100  # the whole install, not just the direct requirements
    problems = [reason for reason in map(incompatible, packages) if reason]
    assert not problems, "\n".join(problems)


def test_the_project_is_licensed_agpl_3_or_later():
    from importlib.metadata import metadata

    assert metadata("study-visit-briefing-assistant")["License-Expression"] == "AGPL-3.0-or-later"
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in (REPO / "LICENSE").read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(("declared", "compatible"), [
    ("MIT", True), ("Apache-2.0 OR MIT", True), ("MPL-2.0 AND (Apache-2.0 OR MIT)", True), ("MIT License", True),
    ("Apache Software License; MIT License", True), ("GPL-2.0-only", False), ("Apache-2.0 AND GPL-2.0-only", False),
    ("GPL-2.0-only OR MIT", True), ("CC-BY-NC-4.0", False), ("Proprietary", False), ("UNKNOWN", False),
    ("Apache-1.1", False), ("SSPL-1.0", False),
])
def test_the_judge_reads_spdx_expressions_and_names(declared, compatible):
    assert (incompatible(Package("example", "1.0", declared)) is None) is compatible


def test_an_unversioned_bsd_is_judged_by_its_licence_text():
    assert incompatible(Package("three", "1.0", "BSD")) is None
    assert incompatible(Package("four", "1.0", "BSD License", advertising_clause=True)) is not None


def test_a_package_without_a_licence_passes_only_when_it_holds_no_code():
    assert incompatible(Package("shim", "2.0", "UNKNOWN", empty=True)) is None
    assert "declares no licence" in incompatible(Package("shim", "2.0", "UNKNOWN"))


def test_the_licence_list_in_docs_is_current(packages):
    listed = re.findall(r"^\| ([^|]+?) \| ", (REPO / "docs" / "third-party-licences.md").read_text(encoding="utf-8"), re.M)
    from packaging.utils import canonicalize_name

    assert {canonicalize_name(n) for n in listed[1:]} == runtime_packages(), "run `make licences`"
    assert "**no**" not in markdown(packages)
