"""Runs the real `moneta` binary with the environment the chart renders.

For every Moneta container of every Deployment and Job of a rendered
scenario, `moneta config check` runs with exactly the container's
environment (values, the rendered Secrets' keys, envFrom of rendered
Secrets; a stand-in value for what lives only in the cluster: an
existingSecret, a fieldRef) and the container's own flags. A setting that
names a file on a Secret or ConfigMap volume the pod mounts (a CA bundle)
points at a stand-in file of the same name instead (a throwaway
self-signed certificate for .pem/.crt), as the mount is the pod's. The
check must pass, and it must report every MONETA_* variable the chart sets as read
from the environment. `start_for_real` renders the chart against this
machine's MariaDB and Redis and runs the migrate Job's and the
Deployments' commands as the pods would, until each answers /readyz 200.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable

SUBCOMMANDS = {"serve": 1, "migrate": 1, "jobs": 3, "config": 2}

# Stand-ins for values only a cluster has (existingSecret, fieldRef, ...).
STAND_INS = {
    "MONETA_DATABASE_URL": "mysql://moneta:stand-in@vtgate:3306/moneta",
    "MONETA_REDIS_URL": "redis://redis:6379",
    "MONETA_JWT_SECRET": "j" * 48,
    "MONETA_CREDENTIALS_KEY": "k" * 48,
}


def secrets_of(docs: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Rendered Secrets: name -> {key: decoded value}."""
    out: dict[str, dict[str, str]] = {}
    for _, obj in docs:
        if obj.get("kind") != "Secret":
            continue
        data = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
        data.update(obj.get("stringData") or {})
        out[obj["metadata"]["name"]] = data
    return out


def moneta_containers(docs: list[tuple[str, dict[str, Any]]]):
    """(where, container) of every container that runs the moneta binary,
    with its pod's volumes under the container's `_volumes` key."""
    for template, obj in docs:
        if obj.get("kind") not in ("Deployment", "Job"):
            continue
        pod = obj["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod.get("containers", []):
            args = container.get("args") or []
            if container.get("command") is None and args and args[0] in SUBCOMMANDS:
                container = dict(container, _volumes=pod.get("volumes") or [])
                yield f"{template}: {obj['kind']}/{obj['metadata']['name']}/{container['name']}", container


STAND_IN_DIR = tempfile.mkdtemp(prefix="moneta-chart-mounts-")


def stand_in_file(path: str) -> str:
    """A file standing in for `path` on a mounted Secret or ConfigMap."""
    local = os.path.join(STAND_IN_DIR, path.lstrip("/"))
    if not os.path.exists(local):
        os.makedirs(os.path.dirname(local), exist_ok=True)
        if local.endswith((".pem", ".crt")):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", os.devnull, "-out", local, "-subj", "/CN=stand-in",
                            "-days", "1"], check=True, capture_output=True)
        else:
            with open(local, "w", encoding="utf-8") as f:
                f.write("stand-in\n")
    return local


def mounted_paths(container: dict[str, Any]) -> list[str]:
    """Mount paths of the container's Secret and ConfigMap volumes."""
    kinds = {v["name"] for v in container.get("_volumes", [])
             if "secret" in v or "configMap" in v or "projected" in v}
    return [m["mountPath"] for m in container.get("volumeMounts") or [] if m["name"] in kinds]


def environment(container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = source.get("secretRef") or {}
        env.update(secrets.get(ref.get("name", ""), {}))
    for var in container.get("env") or []:
        name = var["name"]
        if "value" in var:
            value = str(var["value"])
            if any(value.startswith(m.rstrip("/") + "/") for m in mounted_paths(container)):
                value = stand_in_file(value)
            env[name] = value
            continue
        ref = (var.get("valueFrom") or {}).get("secretKeyRef")
        if ref and ref["key"] in secrets.get(ref["name"], {}):
            env[name] = secrets[ref["name"]][ref["key"]]
        else:
            env[name] = STAND_INS.get(name, "stand-in")
    return env


def flags(args: list[str]) -> list[str]:
    """The container's arguments without its subcommand."""
    return args[SUBCOMMANDS[args[0]]:]


def config_check(binary: str, where: str, container: dict[str, Any],
                 secrets: dict[str, dict[str, str]]) -> list[str]:
    env = environment(container, secrets)
    cmd = [binary, *flags(container["args"]), "config", "check"]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        return [f"{where}: `moneta {' '.join(container['args'])}` refuses the chart's environment: "
                f"{(run.stderr or run.stdout).strip()}"]
    read = {line.split("=", 1)[0] for line in run.stdout.splitlines() if "(env," in line}
    unread = sorted(n for n in env if n.startswith("MONETA_") and n not in read)
    if unread:
        return [f"{where}: config check did not read {unread} from the environment"]
    return []


def check_rendered(binary: str, docs: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], int]:
    secrets = secrets_of(docs)
    errors: list[str] = []
    checked = 0
    for where, container in moneta_containers(docs):
        errors += config_check(binary, where, container, secrets)
        checked += 1
    return errors, checked


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_for_real(binary: str, mysql: str, redis: str,
                   render: Callable[[dict[str, Any]], list[tuple[str, dict[str, Any]]]],
                   mysql_admin: Callable[[str], None]) -> list[str]:
    """Renders the chart for this machine's MariaDB and Redis, runs the
    migrate Job's command, then each Deployment's, and waits for /readyz 200."""
    database = f"moneta_chart_{uuid.uuid4().hex[:12]}"
    host_port = mysql.removeprefix("mysql://").split("@")[-1].rstrip("/")
    host, _, port = host_port.partition(":")
    values = {
        "database": {"user": "root", "password": "", "host": host, "port": int(port or 3306),
                     "name": database},
        "redis": {"url": redis},
        "config": {"redisPrefix": f"moneta-chart-{uuid.uuid4().hex[:8]}"},
        # This machine's MariaDB is no vtgate: the Vitess steps (VSchema,
        # MONETA_VITESS_GLOBAL_KEYSPACE, the workflow) are off here and run
        # for real in ci/vitess/e2e.sh.
        "vitess": {"applyVSchema": False},
    }
    docs = render(values)
    secrets = secrets_of(docs)
    containers = dict(moneta_containers(docs))
    errors: list[str] = []
    mysql_admin(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    procs: list[tuple[str, subprocess.Popen[str], Any]] = []
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            for where, container in containers.items():
                if container["args"][0] != "migrate":
                    continue
                env = environment(container, secrets) | {"MONETA_DATA_DIR": data_dir}
                run = subprocess.run([binary, *container["args"]], env=env, capture_output=True,
                                     text=True, timeout=600)
                print(f"   ran {where}: `moneta {' '.join(container['args'])}` exit {run.returncode}")
                if run.returncode != 0:
                    return [f"{where}: migrate failed:\n{run.stdout}\n{run.stderr}"]
            for where, container in containers.items():
                if container["args"][0] != "serve":
                    continue
                port = free_port()
                # Only what is the pod's own changes: its address and its volume.
                env = environment(container, secrets) | {
                    "MONETA_LISTEN": f"127.0.0.1:{port}", "MONETA_DATA_DIR": data_dir}
                log = tempfile.TemporaryFile(mode="w+")
                proc = subprocess.Popen([binary, *container["args"]], env=env, stdout=log,
                                        stderr=subprocess.STDOUT, text=True)
                procs.append((where, proc, log))
                deadline = time.monotonic() + 120
                while not ready(port):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        errors.append(f"{where}: `moneta {' '.join(container['args'])}` never answered "
                                      f"/readyz 200 (exit {proc.poll()}):\n{log.read()[-4000:]}")
                        break
                    time.sleep(0.2)
                else:
                    print(f"   started {where}: `moneta {' '.join(container['args'])}` "
                          f"answers /readyz 200 on MariaDB and Redis")
    finally:
        for _, proc, log in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        mysql_admin(f"DROP DATABASE IF EXISTS `{database}`")
    if not any(c["args"][0] == "serve" for c in containers.values()):
        errors.append("no Deployment runs `moneta serve`")
    return errors


def mysql_admin_cli(mysql: str) -> Callable[[str], None]:
    host_port = mysql.removeprefix("mysql://").split("@")[-1].rstrip("/")
    host, _, port = host_port.partition(":")

    def run(sql: str) -> None:
        subprocess.run(["mariadb", "--protocol=tcp", f"-h{host}", f"-P{port or 3306}", "-uroot",
                        "-e", sql], check=True, env=os.environ)
    return run
