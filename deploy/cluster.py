#!/usr/bin/env python3
"""Start (or stop) the several-server topology on one machine, from Debian's packages:

    PostgreSQL 15 (users, audit, feedback, uploads, log-in counters, library changes)
    `chroma run` (the vectors)
    N replicas of `briefing serve` (default 2)
    HAProxy in front, with cookie session affinity (Gradio's queue must see one session on one replica) and
    health checks: a session whose replica dies is sent to another.

    deploy/cluster.py up --dir DIR [--replicas 2] [--port 8080] [--admin NAME] [--parts postgres,chroma,replicas,proxy]
    deploy/cluster.py down --dir DIR
    deploy/cluster.py status --dir DIR

`up` starts everything in the background, migrates the database (`briefing db upgrade`), indexes the knowledge
folder once (`briefing ingest`), adds the first admin when `--admin NAME` is given (with the highest clearance;
password from BRIEFING_ADMIN_PASSWORD: the replicas then ask for a log-in), then starts the replicas and the proxy, and prints (and writes to DIR/cluster.json,
mode 600: it holds the database password) where each part listens and its process id. `down` stops them all and
removes what they kept in DIR. The environment of `up` passes to the replicas (BRIEFING_EMBEDDINGS, log-in settings,
an LLM endpoint ...). Needs: apt-get install postgresql haproxy; the `briefing` and `chroma` commands of the
virtual environment this script is run with (`.venv/bin/python deploy/cluster.py ...`).

As root, PostgreSQL runs as the `postgres` user (initdb refuses root) in a private folder under /tmp; otherwise
as the calling user under DIR. The `briefing` role may create databases (the tests make one per test).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
BIN = Path(sys.executable).parent
PARTS = ("postgres", "chroma", "replicas", "proxy")
STATE = "cluster.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout_s: float, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise SystemExit(f"cluster: {what} did not come up in {timeout_s:.0f} s{': ' + tail if tail else ''}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# --- PostgreSQL ---------------------------------------------------------------------------------------------------
def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(folder: Path) -> dict:
    """A fresh PostgreSQL cluster on a free loopback port, with role and database `briefing`."""
    if os.geteuid() == 0:
        data = Path(tempfile.mkdtemp(prefix="briefing-postgres-"))
        shutil.chown(data, "postgres", "postgres")
    else:
        data = folder / "postgres"
        data.mkdir(mode=0o700)
    port, password = free_port(), secrets.token_urlsafe(18)
    secret = data / "initial-password"
    secret.write_text(password)
    secret.chmod(0o600)
    if os.geteuid() == 0:
        shutil.chown(secret, "postgres", "postgres")
    cluster = data / "data"
    run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster), "-U", "postgres", "--auth-local=peer",
                      "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]), "initdb")
    log = data / "postgres.log"
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200"
    run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(cluster), "-l", str(log), "-o", options, "-w", "start"]),
        "pg_ctl start")
    psql = _as_postgres([str(PG_BIN / "psql"), "-h", str(data), "-p", str(port), "-U", "postgres", "-v",
                         "ON_ERROR_STOP=1", "-q", "-d", "postgres"])
    run([*psql, "-c", f"CREATE ROLE briefing LOGIN CREATEDB PASSWORD '{password}'"], "create role")
    run([*psql, "-c", "CREATE DATABASE briefing OWNER briefing"], "create database")
    secret.unlink()
    return {"data": str(data), "port": port,
            "database_url": f"postgresql+psycopg://briefing:{password}@127.0.0.1:{port}/briefing"}


def stop_postgres(state: dict) -> None:
    data = Path(state["data"])
    if (data / "data" / "postmaster.pid").exists():
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data / "data"), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
    shutil.rmtree(data, ignore_errors=True)


def run(command: list[str], what: str, env: dict | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"cluster: {what} failed ({result.returncode}): {(result.stderr or result.stdout)[-2000:]}")
    return result.stdout


# --- Chroma, the replicas, the proxy --------------------------------------------------------------------------------
def spawn(command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    """A background process in its own session (a Ctrl-C to `up` does not reach it), output to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=REPO, start_new_session=True)


def start_chroma(folder: Path) -> dict:
    port = free_port()
    log = folder / "chroma.log"
    process = spawn([str(BIN / "chroma"), "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1",
                     "--port", str(port)], log)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(f"{url}/api/v2/heartbeat"), "chroma run", 90, process, log)
    return {"pid": process.pid, "port": port, "url": url}


def replica_env(folder: Path, name: str, shared: dict) -> dict:
    env = dict(os.environ, BRIEFING_HOME=str(folder / f"replica-{name}"), BRIEFING_SERVER_NAME=f"replica-{name}",
               TRANSFORMERS_VERBOSITY="error")
    env.pop("BRIEFING_ADMIN_PASSWORD", None)
    if "database_url" in shared:
        env["BRIEFING_DATABASE_URL"] = shared["database_url"]
    if "chroma_url" in shared:
        env["BRIEFING_CHROMA_URL"] = shared["chroma_url"]
    env.setdefault("BRIEFING_KNOWLEDGE", str(REPO / "knowledge"))
    return env


def prepare(folder: Path, shared: dict, admin: str | None) -> None:
    """Migrate the database, index the knowledge folder and add the first admin, once, before any replica starts."""
    env = replica_env(folder, "setup", shared)
    run([str(BIN / "briefing"), "db", "upgrade"], "briefing db upgrade", env)
    run([str(BIN / "briefing"), "ingest"], "briefing ingest", env)
    if admin:
        password = os.environ.get("BRIEFING_ADMIN_PASSWORD", "")
        if not password:
            raise SystemExit("cluster: --admin needs the password in BRIEFING_ADMIN_PASSWORD")
        highest = os.environ.get("BRIEFING_LEVELS", "public,official,restricted").split(",")[-1].strip()
        result = subprocess.run([str(BIN / "briefing"), "users", "add", admin, "--clearance", highest, "--role", "admin"],
                                input=password + "\n", capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise SystemExit(f"cluster: adding the admin failed: {result.stderr[-2000:]}")


def start_replica(folder: Path, name: str, shared: dict) -> dict:
    home = folder / f"replica-{name}"
    home.mkdir(mode=0o700, exist_ok=True)
    if not (home / "models").exists():  # the embedding model exported once, by `prepare`, read by every replica
        (home / "models").symlink_to(folder / "replica-setup" / "models")
    port = free_port()
    log = folder / f"replica-{name}.log"
    process = spawn([str(BIN / "briefing"), "serve", "--host", "127.0.0.1", "--port", str(port)], log,
                    replica_env(folder, name, shared))
    return {"name": name, "pid": process.pid, "port": port, "url": f"http://127.0.0.1:{port}/", "log": str(log)}


def start_proxy(folder: Path, port: int, replicas: list[dict]) -> dict:
    servers = "\n".join(f"    server {r['name']} 127.0.0.1:{r['port']} check cookie {r['name']}" for r in replicas)
    config = (HERE / "haproxy.cfg").read_text().replace("{{port}}", str(port)).replace("{{servers}}", servers)
    path, pidfile, log = folder / "haproxy.cfg", folder / "haproxy.pid", folder / "haproxy.log"
    path.write_text(config)
    run([HAPROXY, "-c", "-q", "-f", str(path)], "haproxy -c")
    process = spawn([HAPROXY, "-db", "-f", str(path)], log)
    url = f"http://127.0.0.1:{port}/"
    wait_until(lambda: answers(url + "healthz"), "haproxy", 30, process, log)
    pidfile.write_text(str(process.pid))
    return {"pid": process.pid, "port": port, "url": url}


# --- the commands ---------------------------------------------------------------------------------------------------
def save(folder: Path, state: dict) -> None:
    path = folder / STATE
    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)


def up(args) -> int:
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    parts = args.parts.split(",")
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"cluster: unknown parts {', '.join(sorted(unknown))}; parts are {', '.join(PARTS)}")
    if (folder / STATE).exists():
        raise SystemExit(f"cluster: {folder / STATE} exists: run `down --dir {args.dir}` first")
    state: dict = {"dir": str(folder)}
    try:
        if "postgres" in parts:
            state["postgres"] = start_postgres(folder)
            state["database_url"] = state["postgres"]["database_url"]
        if "chroma" in parts:
            state["chroma"] = start_chroma(folder)
            state["chroma_url"] = state["chroma"]["url"]
        save(folder, state)
        if "replicas" in parts:
            prepare(folder, state, args.admin)
            state["replicas"] = [start_replica(folder, chr(ord("a") + i), state) for i in range(args.replicas)]
            save(folder, state)
            for replica in state["replicas"]:
                wait_until(lambda r=replica: answers(r["url"] + "healthz"), f"replica {replica['name']}", 300,
                           log=Path(replica["log"]))
        if "proxy" in parts:
            state["proxy"] = start_proxy(folder, args.port or free_port(), state.get("replicas", []))
        save(folder, state)
    except BaseException:
        save(folder, state)
        down_state(state)
        raise
    print(json.dumps(state, indent=2))
    return 0


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def down_state(state: dict) -> None:
    if "proxy" in state:
        _kill(state["proxy"]["pid"])
    for replica in state.get("replicas", []):
        _kill(replica["pid"])
    if "chroma" in state:
        _kill(state["chroma"]["pid"])
    if "postgres" in state:
        stop_postgres(state["postgres"])
    folder = Path(state["dir"])
    (folder / STATE).unlink(missing_ok=True)


def down(args) -> int:
    path = Path(args.dir).resolve() / STATE
    if not path.exists():
        print(f"cluster: nothing running from {args.dir}", file=sys.stderr)
        return 0
    down_state(json.loads(path.read_text()))
    return 0


def status(args) -> int:
    path = Path(args.dir).resolve() / STATE
    if not path.exists():
        print(f"cluster: nothing running from {args.dir}", file=sys.stderr)
        return 1
    state = json.loads(path.read_text())
    checks = {"chroma": lambda: answers(state["chroma"]["url"] + "/api/v2/heartbeat"),
              "proxy": lambda: answers(state["proxy"]["url"] + "healthz")}
    report = {part: checks[part]() for part in checks if part in state}
    report |= {f"replica {r['name']}": answers(r["url"] + "healthz") for r in state.get("replicas", [])}
    print(json.dumps(report, indent=2))
    return 0 if all(report.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start the topology in the background and print where it listens")
    start.add_argument("--dir", required=True, help="folder for the parts' data, logs and cluster.json")
    start.add_argument("--replicas", type=int, default=2)
    start.add_argument("--port", type=int, help="the proxy's port (default: a free one)")
    start.add_argument("--parts", default=",".join(PARTS), help=f"which parts to start (default: {','.join(PARTS)})")
    start.add_argument("--admin", metavar="NAME", help="add this first admin (password: BRIEFING_ADMIN_PASSWORD)")
    start.set_defaults(run=up)
    for name, function in (("down", down), ("status", status)):
        command = commands.add_parser(name)
        command.add_argument("--dir", required=True)
        command.set_defaults(run=function)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
