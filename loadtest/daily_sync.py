"""The daily sync at scale: `loadtest/run --daily-sync W1,W2,...`.

For each W: one worker process with W sync consumers
(`MONETA_WORKER_CONCURRENCY`, no scheduled jobs) is started on the seeded
database, then `moneta jobs run daily-sync` scans every user active in the
past 30 days and queues a sync of each of their accounts, as the cron's
daily tick does, while the worker drains the queue. A sampler reads the
queue's depth (`XLEN <prefix>:jobs:sync`: waiting + in flight, since an
acknowledged job leaves the stream) and Redis's `used_memory` every
SAMPLE_EVERY seconds until the scan has ended and the queue is empty.

Figures per W: jobs queued, the scan's rate (jobs queued per second, from
the scan process's first queued job to its exit), the time from the
scan's start to an empty queue (drain), syncs per second over it, the
queue's peak depth, Redis memory at the peak (and above what it used
before the scan), the worker's sync outcomes (from its /metrics) and the
dead letters. The api is stopped meanwhile: the machine is the worker's,
the scan's, MariaDB's and Redis's.
"""

import re
import subprocess
import threading
import time

SAMPLE_EVERY = 0.25


def connect(host, port):
    """A redis-py client (loadtest/requirements.txt; imported here, as the
    runner imports this module before it re-runs itself in the venv)."""
    import redis

    return redis.Redis(host=host, port=port, socket_timeout=10, decode_responses=True)


def used_memory(client):
    return client.info("memory").get("used_memory")


class Sampler(threading.Thread):
    """Samples (t, depth, used_memory) until stopped."""

    def __init__(self, client, stream, t0):
        super().__init__(daemon=True)
        self.client, self.stream, self.t0 = client, stream, t0
        self.samples = []
        self.error = None
        self.halt = threading.Event()

    def sample(self):
        depth = self.client.xlen(self.stream)
        mem = used_memory(self.client)
        s = (time.monotonic() - self.t0, depth, mem)
        self.samples.append(s)
        return s

    def run(self):
        try:
            while not self.halt.is_set():
                self.sample()
                self.halt.wait(SAMPLE_EVERY)
        except Exception as e:  # redis.RedisError, OSError: reported by measure()
            self.error = str(e)


def sync_outcomes(metrics_text):
    """`jobs_total{job="sync-account",outcome=…}` from a worker's /metrics."""
    out = {}
    for m in re.finditer(r'(?m)^\w*jobs_total\{([^}]*)\}\s+(\S+)$', metrics_text):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m[1]))
        if labels.get("job") == "sync-account":
            out[labels.get("outcome", "?")] = int(float(m[2]))
    return out


def queued_by(log_text):
    """The scan's own count: `daily sync queued` with `queued=N` (text
    logs) or `"queued":N` (JSON)."""
    m = re.search(r'queued["=:\s]+(\d+)', log_text)
    return int(m[1]) if m else None


def measure(run, tools, consumers, timeout):
    """One daily sync drained by one worker with `consumers` consumers;
    returns the point (a dict) and raises `tools.Failure` when it cannot be
    carried out. `tools`: the runner's Failure, redis (host, port),
    free_port, wait_ready, tail_text and repo."""
    from urllib.request import urlopen

    Failure = tools.Failure
    stream = f"{run.prefix}:jobs:sync"
    dead = f"{stream}:dead"
    client = connect(*tools.redis)
    try:
        if client.xlen(stream):
            raise Failure(f"daily sync: the queue {stream} holds {client.xlen(stream)} jobs before the scan")
        dead_before = client.xlen(dead)
        port = tools.free_port()
        worker = run.start(f"daily-worker-{consumers}", [str(run.binary), "serve"], run.env(
            MONETA_ROLE="worker", MONETA_LISTEN=f"127.0.0.1:{port}",
            MONETA_WORKER_CONCURRENCY=str(consumers), MONETA_SCHEDULED_JOBS="none"))
        tools.wait_ready(worker, f"http://127.0.0.1:{port}/readyz")
        mem_before = used_memory(client)
        t0 = time.monotonic()
        sampler = Sampler(connect(*tools.redis), stream, t0)
        sampler.start()
        scan_log = run.dir / f"daily-sync-{consumers}-scan.log"
        with open(scan_log, "w") as lf:
            scan = subprocess.Popen([str(run.binary), "jobs", "run", "daily-sync"],
                                    env=run.env(MONETA_LOG="info", MONETA_LOG_FORMAT="json",
                                                MONETA_LISTEN="127.0.0.1:0"),
                                    cwd=tools.repo, stdout=lf, stderr=subprocess.STDOUT)
            try:
                code = scan.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                scan.kill()
                scan.wait()
                raise Failure(f"daily sync: the scan ran past {timeout:.0f} s (log: {scan_log})")
        scan_end = time.monotonic() - t0
        text = scan_log.read_text(errors="replace")
        if code != 0:
            raise Failure(f"daily sync: `moneta jobs run daily-sync` exited {code}:\n{tools.tail_text(text)}")
        queued = queued_by(text)
        deadline = t0 + timeout
        while True:
            if sampler.error:
                raise Failure(f"daily sync: sampling Redis failed: {sampler.error}")
            last = sampler.samples[-1] if sampler.samples else None
            if last and last[0] >= scan_end and last[1] == 0:
                break
            if not worker.alive():
                raise Failure(f"daily sync: the worker died (exit {worker.p.returncode}):\n{worker.tail()}")
            if time.monotonic() > deadline:
                raise Failure(f"daily sync: {last[1] if last else '?'} jobs still queued after {timeout:.0f} s")
            time.sleep(SAMPLE_EVERY)
        sampler.halt.set()
        sampler.join()
        samples = sampler.samples
        sampler.client.close()
        drained = next((t for t, d, _ in samples if t >= scan_end and d == 0), samples[-1][0])
        first = next((t for t, d, _ in samples if d), None)
        try:
            with urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                outcomes = sync_outcomes(r.read().decode(errors="replace"))
        except OSError:
            outcomes = {}
        dead_after = client.xlen(dead)
        worker.stop()
        run.procs.remove(worker)
    finally:
        client.close()
    peak_depth = max((d for _, d, _ in samples), default=0)
    mems = [m for _, _, m in samples if m is not None]
    peak_mem = max(mems, default=None)
    scan_seconds = scan_end - first if first is not None and scan_end > first else scan_end
    return {
        "consumers": consumers,
        "queued": queued,
        "scan_seconds": round(scan_end, 2),
        "queued_per_s": queued / scan_seconds if queued and scan_seconds > 0 else None,
        "drain_seconds": round(drained, 2),
        "syncs_per_s": queued / drained if queued and drained > 0 else None,
        "peak_depth": peak_depth,
        "redis_before": mem_before,
        "redis_peak": peak_mem,
        "redis_delta": peak_mem - mem_before if peak_mem is not None and mem_before is not None else None,
        "outcomes": outcomes,
        "dead_letters": dead_after - dead_before,
        "samples": [(round(t, 3), d, m) for t, d, m in samples],
    }


def failures(point):
    """What makes a daily-sync point fail the run."""
    out = []
    w = point["consumers"]
    if not point.get("queued"):
        out.append(f"daily sync ({w} consumers): the scan queued no jobs (or printed no count)")
    done = sum(point["outcomes"].values())
    if point.get("queued") and done < point["queued"]:
        out.append(f"daily sync ({w} consumers): the worker ran {done} sync jobs of the {point['queued']} queued")
    # already_running: another job of the same account held its sync (a
    # refresh); account_gone: unlinked meanwhile. Neither is an error.
    bad = {k: v for k, v in point["outcomes"].items()
           if k not in ("synced", "already_running", "account_gone") and v}
    if bad:
        out.append(f"daily sync ({w} consumers): sync outcomes {bad}")
    if point["dead_letters"]:
        out.append(f"daily sync ({w} consumers): {point['dead_letters']} jobs dead-lettered")
    return out


def fmt_bytes(n):
    if n is None:
        return "-"
    if abs(n) < 1e6:
        return f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.1f} MB"


def table_rows(points, fmt_num):
    """Markdown rows of the daily-sync table."""
    rows = ["| consumers | jobs queued | scan s | queued/s | drain s | syncs/s | peak depth | Redis at peak "
            "| Redis Δ | bytes/job at peak | outcomes | dead letters |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for p in points:
        per_job = p["redis_delta"] / p["peak_depth"] if p.get("redis_delta") and p["peak_depth"] else None
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(p["outcomes"].items())) or "-"
        rows.append(f"| {p['consumers']} | {p['queued']} | {p['scan_seconds']:.1f} | {fmt_num(p['queued_per_s'])} | "
                    f"{p['drain_seconds']:.1f} | {fmt_num(p['syncs_per_s'])} | {p['peak_depth']} | "
                    f"{fmt_bytes(p['redis_peak'])} | {fmt_bytes(p['redis_delta'])} | {fmt_num(per_job)} | "
                    f"{outcomes} | {p['dead_letters']} |")
    return rows


def plot(run, points, stem):
    """Queue depth over time, one line per W; [(title, path)]."""
    if not points:
        return []
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    for p in points:
        xs = [t for t, _, _ in p["samples"]]
        ys = [d for _, d, _ in p["samples"]]
        ax.plot(xs, ys, label=f"{p['consumers']} consumers: drained in {p['drain_seconds']:.0f} s")
        ax.axvline(p["scan_seconds"], linestyle=":", linewidth=0.8, color=ax.lines[-1].get_color())
    ax.set_xlabel("seconds since the scan started (dotted: the scan ended)")
    ax.set_ylabel("queue depth (jobs waiting + in flight)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"daily sync of {run.args.users} users: queue depth over time\n{run.id}", fontsize=10)
    fig.tight_layout()
    path = stem.parent / f"{stem.name}-daily-sync.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [("daily sync: queue depth over time", path)]
