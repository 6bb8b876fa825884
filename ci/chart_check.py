#!/usr/bin/env python3
"""Checks the Helm chart in helm/moneta without a cluster or a helm binary.

For each scenario below it lints the chart and renders it through Helm's Go
SDK (PyPI `helm-python-sdk`, a ctypes binding), splits the output into YAML
documents and validates every Kubernetes object against the Kubernetes
OpenAPI schema of K8S_VERSION (PyPI `kubernetes-validate`, strict: unknown
fields are errors). Objects of CRDs the schemas do not know (VitessCluster,
ServiceMonitor) are checked for shape only. It also checks what the schemas
cannot: every MONETA_* variable is a setting of the binary (the chart's
list, files/settings.txt, must equal `moneta config variables`), the grace
period outlasts the shutdown grace, and the VSchema copies in the chart
equal vitess/vschema.

With --binary it runs the real binary with each scenario's rendered
environment (`config check`, see chart_binary.py), and with --mysql and
--redis also starts the migrate Job's and the Deployments' commands for
real against them, until they answer /readyz 200.

Some scenarios must be refused by the chart (a bad value); they pass when
rendering fails.

Installs nothing: .ci/run installs helm-python-sdk and kubernetes-validate.
Exits non-zero on any lint error, render error or invalid object.
"""

from __future__ import annotations

import argparse
import collections
import filecmp
import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

import chart_binary

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm" / "moneta"
K8S_VERSION = "1.30"
RELEASE, NAMESPACE = "moneta", "moneta"

# CRDs: no OpenAPI schema here, so shape only.
CUSTOM_KINDS = {
    ("planetscale.com/v2", "VitessCluster"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}

EVERYTHING_ON: dict[str, Any] = {
    "config": {
        "objectStoreUrl": "s3://moneta-raw/pages",
        "otlpEndpoint": "http://otel-collector.monitoring:4317",
        "trustedProxies": "10.244.0.0/16,fd00::/8",
        "institutions": "sandbox",
        "trustedDocuments": "enforce",
    },
    "secrets": {
        "jwtSecret": "j" * 48,
        "credentialsKey": "k" * 48,
    },
    "database": {"user": "moneta", "password": "p@ss word"},
    "redis": {
        "url": "redis-cluster://:pw@redis-0.redis:6379?node=redis-1.redis:6379",
    },
    "objectStore": {"existingSecret": "moneta-object-store"},
    "extraEnv": [{"name": "RUST_BACKTRACE", "value": "1"}],
    "extraEnvFrom": [{"configMapRef": {"name": "moneta-extra"}}],
    "imagePullSecrets": [{"name": "registry"}],
    "api": {
        "autoscaling": {"enabled": True, "targetMemoryUtilizationPercentage": 80,
                        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}},
        "pdb": {"enabled": True, "minAvailable": 2},
        "config": {"databaseMaxConnections": 30, "passwordHashConcurrency": 2},
        "priorityClassName": "moneta-api",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "moneta",
                         "effect": "NoSchedule"}],
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 100,
            "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                "labelSelector": {"matchLabels": {"app.kubernetes.io/component": "api"}}},
        }]}},
        "terminationGracePeriodSeconds": 60,
    },
    "worker": {
        "autoscaling": {"enabled": True},
        "pdb": {"enabled": True},
        "config": {"workerConcurrency": 8, "shutdownGraceSecs": 120},
        "extraEnv": [{"name": "RUST_LOG_STYLE", "value": "never"}],
    },
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "annotations": {"nginx.ingress.kubernetes.io/proxy-read-timeout": "3600"},
        "hosts": [{"host": "moneta.example.com",
                   "paths": [{"path": "/graphql", "pathType": "Prefix"}]}],
        "tls": [{"secretName": "moneta-tls", "hosts": ["moneta.example.com"]}],
    },
    "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}},
    "networkPolicy": {
        "enabled": True,
        "egress": {"extra": [{"to": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"port": 4317, "protocol": "TCP"}]}]},
    },
    "vitess": {
        "cluster": {
            "enabled": True,
            "gateway": {"user": "moneta", "password": "p@ss word"},
            "backup": {"engine": "xtrabackup", "locations": [{"s3": {
                "bucket": "moneta-vitess-backups", "region": "eu-west-1", "keyPrefix": "prod"}}]},
            "cells": [
                {"name": "zone1", "gateway": {"replicas": 2}},
                {"name": "zone2", "gateway": {"replicas": 2}},
            ],
            "keyspaces": {"moneta": {"shards": 8}},
        },
    },
}

SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    ("defaults", {}),
    ("everything on", EVERYTHING_ON),
    ("existingSecret, no VSchema step, empty api ingress sources", {
        "secrets": {"existingSecret": "moneta-secrets"},
        "vitess": {"applyVSchema": False},
        "networkPolicy": {"enabled": True, "apiIngressFrom": []},
        "api": {"pdb": {"enabled": False}},
        "worker": {"pdb": {"enabled": False}, "metricsService": {"enabled": False}},
    }),
    ("TLS to Redis and MySQL, private CAs", {
        "redis": {"url": "rediss://:pw@redis-master.redis:6380",
                  "tls": {"caSecret": "redis-ca", "caKey": "ca.pem"}},
        "database": {"tls": {"mode": "verify-identity", "caSecret": "vtgate-ca"}},
    }),
    ("Vitess only (first install step)", {
        "app": {"enabled": False},
        "vitess": {"cluster": {"enabled": True, "configSecret": {"create": False,
                                                                  "name": "vitess-config"}}},
    }),
]

# Values the chart must refuse.
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("an unknown MONETA_* variable", {"extraEnv": [{"name": "MONETA_BOGUS", "value": "1"}]},
     "MONETA_BOGUS"),
    ("a MONETA_* setting in extraEnv that would shadow the chart's",
     {"worker": {"extraEnv": [{"name": "MONETA_LOG", "value": "debug"}]}}, "set by the chart"),
    ("a grace period shorter than the shutdown grace",
     {"api": {"terminationGracePeriodSeconds": 10}}, "terminationGracePeriodSeconds"),
    ("an unknown value key", {"api": {"replicass": 3}}, "replicass"),
    ("an unknown MySQL TLS mode", {"database": {"tls": {"mode": "verify_full"}}}, "/database/tls/mode"),
    ("a short JWT secret", {"secrets": {"jwtSecret": "short"}}, "32 bytes"),
    ("an HPA without a metric", {"worker": {"autoscaling": {
        "enabled": True, "targetCPUUtilizationPercentage": 0}}}, "autoscaling"),
]


SETTINGS_COPY = CHART / "files" / "settings.txt"


def known_variables() -> set[str]:
    """The setting variables the chart knows (files/settings.txt)."""
    names = set(SETTINGS_COPY.read_text(encoding="utf-8").split())
    if not names:
        raise SystemExit(f"{SETTINGS_COPY}: empty")
    return names


def check_settings_copy(binary: str) -> bool:
    """The chart's list of settings is the binary's own."""
    run = subprocess.run([binary, "config", "variables"], capture_output=True, text=True,
                         env={}, timeout=60)
    declared = run.stdout.split()
    ok = run.returncode == 0 and declared == SETTINGS_COPY.read_text(encoding="utf-8").split()
    if not ok:
        print(f"   {SETTINGS_COPY.relative_to(ROOT)} is not `moneta config variables` "
              f"(regenerate: {binary} config variables > {SETTINGS_COPY.relative_to(ROOT)}): "
              f"{run.stderr.strip()}")
    print(f"   chart settings list = `moneta config variables` ({len(declared)} settings): "
          f"{'yes' if ok else 'NO'}")
    return ok


def documents(manifests: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for template, text in sorted(manifests.items()):
        if template.endswith("NOTES.txt") or not text.strip():
            continue
        for doc in yaml.safe_load_all(text):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise ValueError(f"{template}: a document that is not a mapping")
            out.append((template, doc))
    return out


def pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj.get("spec") or {}
    if obj["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return [spec["template"]["spec"]]
    return []


def semantic_errors(obj: dict[str, Any], known: set[str]) -> list[str]:
    errors = []
    for pod in pod_specs(obj):
        grace = pod.get("terminationGracePeriodSeconds")
        for container in pod.get("initContainers", []) + pod.get("containers", []):
            names = [e["name"] for e in container.get("env", [])]
            for name in names:
                if name.startswith("MONETA_") and name not in known:
                    errors.append(f"container {container['name']}: {name} is not a setting "
                                  "of the README (the binary refuses it)")
            dupes = [n for n, c in collections.Counter(names).items() if c > 1]
            if dupes:
                errors.append(f"container {container['name']}: duplicate env {dupes}")
            shutdown = next((e.get("value") for e in container.get("env", [])
                             if e["name"] == "MONETA_SHUTDOWN_GRACE_SECS"), None)
            if shutdown is not None and grace is not None and grace <= int(shutdown):
                errors.append(f"terminationGracePeriodSeconds {grace} <= shutdown grace {shutdown}")
            sc = container.get("securityContext") or {}
            if not (sc.get("readOnlyRootFilesystem") and sc.get("runAsNonRoot")
                    and sc.get("capabilities", {}).get("drop") == ["ALL"]):
                errors.append(f"container {container['name']}: not locked down "
                              "(readOnlyRootFilesystem, runAsNonRoot, drop ALL)")
    return errors


def check_shape(obj: dict[str, Any]) -> list[str]:
    missing = [f for f in ("apiVersion", "kind", "spec") if not obj.get(f)]
    if not (obj.get("metadata") or {}).get("name"):
        missing.append("metadata.name")
    return [f"missing {', '.join(missing)}"] if missing else []


def lint(values: dict[str, Any]) -> list[str]:
    report = helm.lint(str(CHART), values, strict=True, namespace=NAMESPACE,
                       kube_version=f"v{K8S_VERSION}.0")
    problems = list(report.get("errors") or [])
    for msg in report.get("messages") or []:
        if msg.get("severity", 0) >= 2:
            problems.append(f"{msg.get('path')}: {msg.get('error')}")
    return problems


def render(chart: helm.Chart, values: dict[str, Any]) -> dict[str, str]:
    return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def check_scenario(chart: helm.Chart, label: str, values: dict[str, Any],
                   known: set[str], binary: str | None) -> bool:
    print(f"\n-- {label}")
    ok = True
    for problem in lint(values):
        print(f"   LINT  {problem}")
        ok = False
    try:
        docs = documents(render(chart, values))
    except Exception as exc:  # noqa: BLE001 - any render or YAML error fails the check
        print(f"   RENDER FAILED  {type(exc).__name__}: {exc}")
        return False
    kinds: collections.Counter[str] = collections.Counter()
    seen: set[tuple[str, str]] = set()
    for template, obj in docs:
        kind, name = obj.get("kind", "?"), (obj.get("metadata") or {}).get("name", "?")
        where = f"{template}: {kind}/{name}"
        errors: list[str] = []
        if (kind, name) in seen:
            errors.append("rendered twice")
        seen.add((kind, name))
        if (obj.get("apiVersion"), kind) in CUSTOM_KINDS:
            errors += check_shape(obj)
        else:
            try:
                kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
            except kubernetes_validate.ValidationError as exc:
                path = "/".join(str(p) for p in exc.path)
                errors.append(f"at {path or '.'}: {exc.message}")
            except kubernetes_validate.SchemaNotFoundError as exc:
                errors.append(f"no schema: {exc}")
        errors += semantic_errors(obj, known)
        for error in errors:
            print(f"   INVALID  {where}: {error}")
        ok = ok and not errors
        kinds[kind] += 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"   {sum(kinds.values())} objects ({summary})")
    if binary:
        errors, checked = chart_binary.check_rendered(binary, docs)
        for error in errors:
            print(f"   BINARY REFUSES  {error}")
        print(f"   `moneta config check` with the rendered environment of {checked} container(s): "
              f"{'ok' if not errors else 'FAILED'}")
        ok = ok and not errors
    print(f"   {'ok' if ok else 'FAILED'}")
    return ok


def check_refused(chart: helm.Chart, label: str, values: dict[str, Any], needle: str) -> bool:
    try:
        render(chart, values)
    except Exception as exc:  # noqa: BLE001
        if needle in str(exc):
            print(f"   refused as it should be: {label}")
            return True
        print(f"   REFUSED FOR THE WRONG REASON ({label}): {exc}")
        return False
    print(f"   NOT REFUSED: {label}")
    return False


def check_vschema_copies() -> bool:
    """The chart's files/vschema must hold exactly the files of vitess/."""
    sources = sorted((ROOT / "vitess" / "vschema").glob("*.json"))
    sources += [ROOT / "vitess" / name
                for name in ("routing_rules.json",)]
    copies = CHART / "files" / "vschema"
    ok = {p.name for p in sources} == {p.name for p in copies.iterdir()}
    if not ok:
        print(f"   {copies.relative_to(ROOT)} holds other files than vitess/: "
              f"{sorted(p.name for p in copies.iterdir())}")
    for source in sources:
        copy = copies / source.name
        if not copy.exists() or not filecmp.cmp(source, copy, shallow=False):
            print(f"   {copy.relative_to(ROOT)} differs from {source.relative_to(ROOT)}")
            ok = False
    print(f"   VSchema copies in the chart: {'identical' if ok else 'DIFFERENT'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", help="the moneta binary to run with each rendered environment")
    parser.add_argument("--mysql", help="mysql://root@host:port: start the chart's commands for real")
    parser.add_argument("--redis", help="redis://host:port, with --mysql")
    args = parser.parse_args()
    known = known_variables()
    print(f"Helm SDK {helm.helm_sdk_version()}, Kubernetes schemas {K8S_VERSION} (strict), "
          f"{len(known)} settings from {SETTINGS_COPY.relative_to(ROOT)}")
    results = [check_vschema_copies()]
    if args.binary:
        results.append(check_settings_copy(args.binary))
    with helm.Chart.load(str(CHART)) as chart:
        print(f"chart {chart.name} {chart.version} (app {chart.metadata.get('appVersion')})")
        for label, values in SCENARIOS:
            results.append(check_scenario(chart, label, values, known, args.binary))
        print("\n-- values the chart must refuse")
        for label, values, needle in REFUSED:
            results.append(check_refused(chart, label, values, needle))
        if args.binary and args.mysql and args.redis:
            print("\n-- the defaults, for real: this machine's MariaDB and Redis")
            errors = chart_binary.start_for_real(
                args.binary, args.mysql, args.redis,
                lambda values: documents(render(chart, values)),
                chart_binary.mysql_admin_cli(args.mysql))
            for error in errors:
                print(f"   FAILED  {error}")
            results.append(not errors)
    failed = results.count(False)
    if failed:
        print(f"\nHelm chart check FAILED: {failed} of {len(results)} checks")
        return 1
    print(f"\nHelm chart check OK: {len(results)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
