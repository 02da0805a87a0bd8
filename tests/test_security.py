"""The served app attacked over HTTP by users of different clearance and role: it serves only its
own outputs, keeps the library safe from other users, and bounds the cost of uploads and log-ins.

A real `briefing serve`, driven by gradio_client and by raw HTTP (httpx). Users:
alice (public, editor), rita (restricted, editor), rex (restricted, reader), ada (restricted, admin).
"""

import json
import tempfile
import threading
import time
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docx
import httpx
import pytest
from conftest import KNOWLEDGE, audit_in, make_settings, users_in
from gradio_client import Client, handle_file
from test_access import index_namanga_and_annex, leaks
from test_ui import serving

from assistant.app.state import open_state
from assistant.app.uploads import UploadStore

pytestmark = pytest.mark.slow
PASSWORDS = {"alice": "alice-pass-1", "rita": "rita-pass-1", "rex": "rex-pass-1", "ada": "ada-pass-1"}
PLAN = b"# Deployment plan\n\n## Rotation\n\nThe heron rotation for the Lunga Lunga crossing starts on 9 May 2024.\n"
HERON = "When does the heron rotation for the Lunga Lunga crossing start?"
NAMANGA = "knowledge/namanga.md"
BACKEND = "onnx-int8"
"""The default embedding backend: the memory and latency figures are the product's."""


@dataclass
class Site:
    root: Path
    home: Path
    url: str
    pid: int
    gradio_tmp: Path

    def client(self, name: str, **kwargs) -> Client:
        return Client(self.url, auth=(name, PASSWORDS[name]), verbose=False, **kwargs)

    def http(self, name: str) -> httpx.Client:
        """A raw HTTP session signed in as `name`."""
        session = httpx.Client(base_url=self.url, timeout=120)
        response = session.post("/login", data={"username": name, "password": PASSWORDS[name]})
        assert response.status_code == 200, response.text
        return session


@contextmanager
def running_site(tmp_path_factory, **env):
    """A served site: the Namanga note and the restricted annex indexed, the four users added."""
    root = tmp_path_factory.mktemp("site")
    knowledge = index_namanga_and_annex(root, "knowledge", BRIEFING_EMBEDDINGS=BACKEND)
    users = users_in(root / "state")
    for name, clearance, role in (("alice", "public", "editor"), ("rita", "restricted", "editor"),
                                  ("rex", "restricted", "reader"), ("ada", "restricted", "admin")):
        users.add(name, PASSWORDS[name], clearance, role)
    gradio_tmp = root / "gradio-tmp"
    with serving(root / "state", cwd=root, BRIEFING_KNOWLEDGE=str(knowledge), GRADIO_TEMP_DIR=str(gradio_tmp),
                 BRIEFING_EMBEDDINGS=BACKEND, **env) as (process, url):
        yield Site(root, root / "state", url, process.pid, gradio_tmp)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with running_site(tmp_path_factory) as served:
        yield served


def upload(client: Client, *paths: Path, label: str | None = None) -> str:
    status, *_ = client.predict([handle_file(str(p)) for p in paths], label, api_name="/upload")
    return status


def uploaded_source(status: str) -> str:
    return status.split("indexed as ", 1)[1].split(" (", 1)[0]


def library(client: Client) -> dict[str, list]:
    return {row[-1]: row for row in client.predict(api_name="/list_documents")}


@pytest.fixture(scope="module")
def ritas_plan(site, tmp_path_factory) -> tuple[str, Path]:
    """rita's restricted plan.md, labelled at upload (the file itself carries no label)."""
    path = tmp_path_factory.mktemp("rita") / "plan.md"
    path.write_bytes(PLAN)
    status = upload(site.client("rita"), path, label="restricted")
    assert "plan.md**: indexed as" in status, status
    source = uploaded_source(status)
    return source, site.home / source  # where it would lie if uploads were kept on disk: they are not


def stored(site, source: str) -> bytes | None:
    """The bytes the database keeps of an uploaded document (None: not kept)."""
    uploads = UploadStore(open_state(make_settings(site.home)))
    return uploads.data(source) if uploads.get(source) else None


# Row 1: the file route ------------------------------------------------------------------------

def test_the_file_route_serves_nothing_outside_the_apps_own_outputs(site, ritas_plan, tmp_path):
    outside = Path(tempfile.gettempdir()) / f"briefing-other-{uuid.uuid4().hex}.md"
    outside.write_text("another user's exported briefing")
    try:
        http = site.http("alice")
        for path in (outside, site.home / "briefing.sqlite3", ritas_plan[1]):
            response = http.get(f"/gradio_api/file={path}")
            assert response.status_code == 403, (path, response.status_code)
    finally:
        outside.unlink()
    note, md_file, docx_file = site.client("rita", download_files=str(tmp_path)).predict("Namanga", [], api_name="/brief")
    assert Path(md_file).read_text(encoding="utf-8").strip() == note.strip() and Path(docx_file).stat().st_size


def call(http: httpx.Client, api_name: str, data: list) -> list:
    """An endpoint called over raw HTTP (Gradio's /call API), as a page or script would: its output values."""
    event = http.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert event.status_code == 200, event.text
    stream = http.get(f"/gradio_api/call/{api_name}/{event.json()['event_id']}").text
    assert "event: complete" in stream, stream
    return json.loads(stream.split("event: complete", 1)[1].split("data:", 1)[1].strip().splitlines()[0])


def test_an_upload_leaves_gradios_cache_and_its_removal_every_copy(site, tmp_path):
    rita, alice = site.http("rita"), site.http("alice")
    memo = tmp_path / "cormorant-memo.md"
    memo.write_text("# Cormorant memo\n\nThe cormorant desk opens at the Namanga crossing in June.\n")
    with memo.open("rb") as handle:
        (cached,) = rita.post("/gradio_api/upload", files={"files": (memo.name, handle, "text/markdown")}).json()
    assert alice.get(f"/gradio_api/file={cached}").status_code == 200  # the cache serves any signed-in user
    status, *_ = call(rita, "upload", [[{"path": cached, "orig_name": memo.name, "meta": {"_type": "gradio.FileData"}}],
                                       "restricted"])
    assert "cormorant-memo.md**: indexed as" in status, status
    for http in (alice, rita):
        assert http.get(f"/gradio_api/file={cached}").status_code in (403, 404)
    assert list(site.gradio_tmp.rglob(memo.name)) == []
    source = uploaded_source(status)
    status, *_ = site.client("rita").predict(source, api_name="/remove_document")
    assert status.startswith("Removed")
    assert [p for p in site.root.rglob("*cormorant*")] == [] and stored(site, source) is None


def test_state_files_are_private_and_users_never_see_server_paths(site, ritas_plan, tmp_path):
    shared = [p for p in [site.home, *site.home.rglob("*")] if not p.is_symlink() and p.stat().st_mode & 0o077]
    assert shared == [] and (site.home / "briefing.sqlite3").exists() and stored(site, ritas_plan[0]) == PLAN
    rita = site.client("rita", download_files=str(tmp_path))
    answer, sources = rita.predict(HERON, [], [], api_name="/ask")
    note, md_file, _ = rita.predict("heron rotation at Lunga Lunga", [ritas_plan[0]], api_name="/brief")
    seen = json.dumps([library(rita), answer, sources, note, Path(md_file).read_text(encoding="utf-8")])
    assert ritas_plan[0].startswith("uploads/") and ritas_plan[0] in sources and ritas_plan[0] in note
    assert str(site.root) not in seen and "state/uploads" not in seen


# Rows 2, 3 and 8: uploads cannot clobber, and reveal nothing ------------------------------------

def test_an_upload_of_the_same_name_gets_its_own_identity(site, ritas_plan, tmp_path):
    source, path = ritas_plan
    alice_plan = tmp_path / "plan.md"
    alice_plan.write_text("# Public plan\n\nThe public plan covers visitor parking at Namanga.\n")
    status = upload(site.client("alice"), alice_plan)
    assert "plan.md**: indexed as" in status and uploaded_source(status) != source
    assert not leaks(status) and "heron" not in status.lower()
    assert stored(site, source) == PLAN and not path.exists()
    answer, _ = site.client("rita").predict(HERON, [], [], api_name="/ask")
    assert "9 May 2024" in answer


def test_a_failed_upload_of_the_same_name_changes_nothing(site, tmp_path):
    orders = tmp_path / "rita" / "orders.md"
    orders.parent.mkdir()
    orders.write_bytes(b"# Orders\n\nThe egret patrol leaves at dawn.\n")
    source = uploaded_source(upload(site.client("rita"), orders, label="restricted"))
    before = library(site.client("rita"))
    broken = tmp_path / "orders.md"
    broken.write_bytes(b"\x00\x01 not text \x00")
    status = upload(site.client("alice"), broken)
    assert "❌" in status and "binary" in status and "already" not in status
    assert stored(site, source) == orders.read_bytes() and library(site.client("rita")) == before
    assert len([s for s in UploadStore(open_state(make_settings(site.home))).all() if s.endswith("/orders.md")]) == 1


def test_an_exact_copy_of_an_invisible_document_is_answered_like_any_new_file(site, ritas_plan, tmp_path):
    copy = tmp_path / "copy.md"
    copy.write_bytes(PLAN)
    status = upload(site.client("alice"), copy)
    assert "copy.md**: indexed as" in status and "already" not in status and ritas_plan[0] not in status
    again = upload(site.client("rita"), copy)  # rita may see both: she is told it is already there
    assert "already in the library" in again


# Row 4: roles -----------------------------------------------------------------------------------

def test_readers_may_not_change_the_library(site, tmp_path):
    rex = site.client("rex")
    with pytest.raises(Exception, match="needs the editor role"):
        rex.predict(NAMANGA, api_name="/remove_document")
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nA reader's note.\n")
    with pytest.raises(Exception, match="needs the editor role"):
        upload(rex, note)
    assert NAMANGA in library(rex)


def test_editors_act_only_within_their_clearance_and_never_on_the_knowledge_folder(site, ritas_plan, tmp_path):
    alice = site.client("alice")
    with pytest.raises(Exception, match="removed only from the command line"):
        alice.predict(NAMANGA, api_name="/remove_document")
    with pytest.raises(Exception, match="No indexed document"):
        alice.predict(ritas_plan[0], api_name="/remove_document")
    labelled = tmp_path / "labelled.md"
    labelled.write_text("---\nclassification: restricted\n---\n# Labelled\n\nA note labelled above alice.\n")
    status = upload(alice, labelled)
    assert "❌" in status and "above your clearance" in status
    plain = tmp_path / "plain.md"
    plain.write_text("# Plain\n\nA plain note.\n")
    with pytest.raises(Exception, match="above your clearance"):
        upload(alice, plain, label="restricted")
    assert NAMANGA in library(site.client("rex")) and stored(site, ritas_plan[0]) == PLAN


def test_every_library_change_is_audited_and_removal_works_without_the_page(site, tmp_path):
    rita = site.client("rita")
    memo = tmp_path / "memo.md"
    memo.write_text("# Memo\n\nThe memo names the kestrel desk.\n")
    source = uploaded_source(upload(rita, memo, label="official"))
    new = tmp_path / "memo-v2.md"
    new.write_text("# Memo\n\nThe memo now names the osprey desk.\n")
    status, *_ = rita.predict(source, handle_file(str(new)), None, api_name="/replace_document")
    assert status.startswith(f"Replaced {source}") and "official" in status
    answer, _ = rita.predict("Which desk does the memo name?", [], [source], api_name="/ask")
    assert "osprey" in answer
    status, *_ = rita.predict(source, api_name="/remove_document")  # a fresh client: the page's load step never ran
    assert status.startswith(f"Removed {source}") and stored(site, source) is None
    changes = [(c.user, c.action, c.source) for c in audit_in(site.home).changes()]
    assert [("rita", "remove", source), ("rita", "replace", source), ("rita", "upload", source)] == \
        [c for c in changes if c[2] == source]


def test_briefing_on_chosen_documents_works_without_the_page_and_hides_what_it_must(site, ritas_plan):
    note, *_ = site.client("alice").predict("", [NAMANGA], api_name="/brief")
    assert "Namanga" in note
    with pytest.raises(Exception, match="No indexed document"):
        site.client("alice").predict("", [ritas_plan[0]], api_name="/brief")


def test_only_admins_manage_users_and_never_above_their_clearance(site):
    with pytest.raises(Exception, match="needs the admin role"):
        site.client("rita").predict("mallory", "mallory-pass-1", "restricted", "admin", api_name="/set_user")
    ada = site.client("ada")
    assert "saved" in ada.predict("erin", "erin-pass-12", "official", "reader", api_name="/set_user")
    assert users_in(site.home).role("erin") == "reader"


def test_bad_questions_get_their_reason_in_the_officials_words(site):
    alice = site.client("alice")
    with pytest.raises(Exception, match="The question has 2001 characters; the limit is 2000") as refused:
        alice.predict("x" * 2001, [], [], api_name="/ask")
    assert "BRIEFING_" not in str(refused.value)  # no setting names: those are for the administrator
    with pytest.raises(Exception, match="The question is empty"):
        alice.predict("\x00\x07\x1b", [], [], api_name="/ask")


# Rows 5, 6 and 9: bounded cost ------------------------------------------------------------------

def zip_bomb(path: Path, inflated_mb: int = 420) -> Path:
    """A DOCX of about 1 MB whose document.xml inflates to `inflated_mb` MB."""
    base = path.with_suffix(".base.docx")
    document = docx.Document()
    document.add_paragraph("bomb")
    document.save(str(base))
    paragraph = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item.filename))
        with bomb.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(inflated_mb * 1024 * 1024 // len(paragraph)):
                xml.write(paragraph)
            xml.write(b"</w:body></w:document>")
    return path


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024


def test_a_zip_bomb_and_a_huge_text_file_at_once_cost_little_and_questions_go_on(site, tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.docx")
    huge = tmp_path / "huge.md"
    with huge.open("wb") as handle:
        line = b"The port of Mombasa handles transit cargo for the region every day.\n"
        handle.write(line * (50_000_000 // len(line)))
    assert bomb.stat().st_size < 2 * 1024 * 1024 and huge.stat().st_size < 50 * 1024 * 1024
    large = tmp_path / "large.md"  # a legitimate long document, indexed while the question is answered
    notes = [p.read_text(encoding="utf-8").split("---", 2)[-1] for p in sorted(KNOWLEDGE.rglob("*.md"))]
    large.write_text("\n\n".join(f"# Volume {i}\n\n{note}" for i in range(8) for note in notes), encoding="utf-8")
    results: dict[str, str] = {}

    def send(name: str, path: Path) -> None:
        results[name] = upload(site.client("alice"), path)

    uploads = [threading.Thread(target=send, args=(p.name, p)) for p in (bomb, huge, large)]
    for thread in uploads:
        thread.start()
    asker = site.client("rex")
    time.sleep(3.0)
    started = time.perf_counter()
    answer, _ = asker.predict("Who chairs the Namanga One Stop Border Post committee?", [], [], api_name="/ask")
    answered_s = time.perf_counter() - started
    for thread in uploads:
        thread.join(timeout=300)
    peak = peak_memory_mb(site.pid)
    print(f"\nconcurrent question answered in {answered_s:.2f} s; server peak memory {peak:.0f} MB")
    assert "inflates to" in results["bomb.docx"] and "❌" in results["bomb.docx"]
    assert "MB of text allowed" in results["huge.md"] and "❌" in results["huge.md"]
    assert "large.md**: indexed as" in results["large.md"]
    assert answer and answered_s <= 2.0
    assert peak <= 1536


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(site, tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(b"x" * (60 * 1024 * 1024))
    http = site.http("alice")
    with big.open("rb") as handle:
        response = http.post("/gradio_api/upload", files={"files": ("big.txt", handle, "text/plain")})
    assert response.status_code >= 400 and "size" in response.text.lower()
    stored = [p for p in site.gradio_tmp.rglob("*") if p.is_file() and p.stat().st_size > 50 * 1024 * 1024]
    assert stored == []


def test_too_many_files_in_one_upload_are_refused(site, tmp_path):
    files = []
    for i in range(21):
        files.append(tmp_path / f"n{i}.md")
        files[-1].write_text(f"# Note {i}\n\nNote number {i}.\n")
    with pytest.raises(Exception, match="the limit is 20"):
        upload(site.client("rita"), *files)


# Row 7: log-in throttling -----------------------------------------------------------------------

def test_log_in_is_throttled_per_account_at_each_address_and_per_address(tmp_path_factory):
    """Addresses as a TLS proxy on 127.0.0.1 reports them (`X-Forwarded-For`, which the server believes only from there)."""
    with running_site(tmp_path_factory, BRIEFING_LOGIN_LOCKOUT_S="3") as site:
        def client(address: str) -> httpx.Client:
            return httpx.Client(base_url=site.url, timeout=60, headers={"X-Forwarded-For": address})

        def log_in(http: httpx.Client, name: str, password: str) -> int:
            return http.post("/login", data={"username": name, "password": password}).status_code

        stranger, official = client("203.0.113.9"), client("198.51.100.7")
        assert [log_in(stranger, "alice", f"wrong-{i}") for i in range(5)] == [400] * 5
        started = time.perf_counter()
        throttled = [stranger.post("/login", data={"username": "alice", "password": "wrong"}) for _ in range(50)]
        assert all(r.status_code == 429 for r in throttled)
        assert "Too many failed log-ins: try again in 3 seconds." in throttled[-1].text
        assert time.perf_counter() - started < 5  # throttled attempts cost no password hashing
        assert log_in(stranger, "alice", PASSWORDS["alice"]) == 429
        assert log_in(official, "alice", PASSWORDS["alice"]) == 200  # the stranger did not lock alice out
        time.sleep(3.5)
        assert log_in(stranger, "alice", PASSWORDS["alice"]) == 200
        sprayer = client("192.0.2.44")
        codes = [log_in(sprayer, f"nobody{i}", "wrong") for i in range(21)]
        assert codes[:20] == [400] * 20 and codes[20] == 429  # the address's own budget, whatever the account
        assert log_in(sprayer, "rita", PASSWORDS["rita"]) == 429
        assert log_in(official, "rita", PASSWORDS["rita"]) == 200
