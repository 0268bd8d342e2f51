#!/usr/bin/python3
"""healthd's benchmarks (issue 10), run by Debian's /usr/bin/python3 from ops/bench/run.

    health.py probes --work DIR [--healthd PATH --dirctl PATH] [--services 1000] [--interval 10]
                     [--window 60] [--floor-probes 10000] [--skip-blackbox]
    health.py http   --work DIR --healthd PATH --dirctl PATH [--services 1000] [--duration 10]

Both start nginx (ops/bench/health-nginx.conf, its own prefix under DIR, a free loopback port)
as the local target: every path answers 200 "ok" from memory. SERVICES targets are the URLs
http://127.0.0.1:PORT/svc/N.

probes, in one run, side by side:
- libcurl's multi interface alone (ops/bench/curl-multi-floor.c, compiled here with cc):
  FLOOR_PROBES GETs on fresh connections with 50 in flight, pinned to core 0: CPU ms per probe
  (getrusage) and probes/s. The floor healthd is held against (goal: at most three times it).
- prometheus-blackbox-exporter (Debian) with ops/bench/health-blackbox.yml, pinned to core 0,
  driven as Prometheus drives it: every target's /probe once per INTERVAL, spread evenly over
  the interval, by a small driver in this script (kept-alive connections to blackbox, its own CPU
  not counted). After one interval of warm-up, blackbox's CPU (utime + stime from
  /proc/PID/stat) over WINDOW seconds divided by the probes completed in the window, and its
  RSS (VmRSS, and the peak VmHWM, from /proc/PID/status).
- healthd (`healthd serve --config FILE`, pinned with `taskset -c 0`), SERVICES `kind: http`
  services every INTERVAL against the same targets, everything it does included (scheduling,
  state, history, snapshots): CPU over WINDOW seconds from /proc/PID/stat divided by the probes
  it counted in the window (`healthd_probes_total` on /metrics, read before the window's first
  CPU sample and after its last, so the two reads are not in the window), and its RSS. Goals
  (issue 10): at most a fifth of blackbox's CPU per probe, at most three times the floor, RSS at
  most 60 MB.

http: healthd with SERVICES services (probing nginx meanwhile), once every service has a
result: `wrk --latency` on /metrics and /api/v1/status for DURATION seconds (healthd on core 0,
wrk on core 1, 2 threads, 50 connections): requests/s and p99 (goal: at least 5,000 requests/s
and p99 under 20 ms).

Every figure is one line (44-column name, value, unit, a note), as SwitchboardBench prints them.
A probe that fails, a non-2xx answer under wrk, or a prober that dies is an error (exit 1): a
figure measured against failures is no figure. Every process started here is stopped at the end.
"""
import argparse
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FLOOR_IN_FLIGHT = 50


class BenchError(Exception):
    """A benchmark cannot go on; the message says what and what to try."""


def line(name, value, unit, note=""):
    figure = f"{value:12.2f}" if value < 10 else f"{value:12.1f}"
    print(f"{name:44}{figure} {unit}" + (f"   ({note})" if note else ""), flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def need(tool, package):
    path = shutil.which(tool)
    if path is None:
        raise BenchError(f"{tool} is missing: install the Debian package {package} (ops/bench/run installs it)")
    return path


def cpu_seconds(pid):
    """utime + stime of a process (its threads included), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_mb(pid):
    """VmRSS and VmHWM (the peak) in MB, from /proc/PID/status."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for text in status:
            key, _, rest = text.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def wait_http(url, process, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{what} exited with status {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"{what} did not answer {url} within {timeout} s")


class Processes:
    """The processes this run started, stopped (SIGTERM, then SIGKILL) at the end in reverse order."""

    def __init__(self):
        self.running = []

    def start(self, command, log, **kwargs):
        with open(log, "ab") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in reversed(list(self.running)):
            self.stop(process)


def start_nginx(processes, work):
    nginx = need("nginx", "nginx")
    prefix = os.path.join(work, "nginx")
    os.makedirs(prefix, exist_ok=True)
    port = free_port()
    with open(os.path.join(BENCH_DIR, "health-nginx.conf")) as template:
        config = template.read().replace("@PREFIX@", prefix).replace("@PORT@", str(port))
    with open(os.path.join(prefix, "nginx.conf"), "w") as out:
        out.write(config)
    # Off the measured core when the machine has a second one.
    pin = ["taskset", "-c", "1"] if os.cpu_count() and os.cpu_count() > 1 else []
    process = processes.start(pin + [nginx, "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")],
                              os.path.join(prefix, "nginx.out"))
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/svc/1", process, f"nginx (its log: {prefix}/error.log)")
    return base


def targets(base, count):
    return [f"{base}/svc/{n}" for n in range(1, count + 1)]


# ---- libcurl multi alone ---------------------------------------------------------------------

def curl_floor(work, base, probes):
    cc = need("cc", "gcc")
    binary = os.path.join(work, "curl-multi-floor")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libcurl"], check=True, capture_output=True, text=True).stdout.split()
    subprocess.run([cc, "-O2", "-o", binary, os.path.join(BENCH_DIR, "curl-multi-floor.c")] + flags, check=True)
    run = subprocess.run(["taskset", "-c", "0", binary, base + "/svc/1", str(probes), str(FLOOR_IN_FLIGHT)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise BenchError(f"curl-multi-floor failed (exit {run.returncode}): {run.stderr.strip()}")
    figures = dict(zip(run.stdout.split()[0::2], run.stdout.split()[1::2]))
    per_probe, rate = float(figures["cpu_ms_per_probe"]), float(figures["probes_per_s"])
    line("health: libcurl multi floor, CPU per probe", per_probe * 1000, "us",
         f"{probes} GETs, fresh connections, {FLOOR_IN_FLIGHT} in flight, core 0")
    line("health: libcurl multi floor, probes/s", rate, "probes/s")
    return per_probe


# ---- prometheus-blackbox-exporter ------------------------------------------------------------

class BlackboxDriver:
    """Asks blackbox for every target's /probe once per interval, spread evenly, as Prometheus's
    scrapes do; counts the probes completed (and failed) with their completion times."""

    def __init__(self, blackbox, target_urls, interval, workers=32):
        self.blackbox = blackbox
        self.targets = target_urls
        self.interval = interval
        self.jobs = queue.Queue()
        self.done = []            # monotonic completion times of good probes
        self.failures = []        # (target, reason)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]
        self.threads.append(threading.Thread(target=self.schedule, daemon=True))

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(timeout=10)

    def schedule(self):
        start = time.monotonic()
        step = self.interval / len(self.targets)
        cycle = 0
        while not self.stopping.is_set():
            for index, target in enumerate(self.targets):
                due = start + cycle * self.interval + index * step
                delay = due - time.monotonic()
                if delay > 0 and self.stopping.wait(delay):
                    return
                self.jobs.put(target)
            cycle += 1

    def work(self):
        host, port = self.blackbox
        connection = http.client.HTTPConnection(host, port, timeout=15)
        while True:
            target = self.jobs.get()
            if target is None:
                return
            path = "/probe?module=http_2xx&target=" + urllib.request.quote(target, safe="")
            try:
                connection.request("GET", path)
                answer = connection.getresponse()
                body = answer.read().decode()
                ok = answer.status == 200 and re.search(r"^probe_success 1$", body, re.M) is not None
                reason = None if ok else f"HTTP {answer.status}, probe_success not 1"
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=15)
                ok, reason = False, str(error)
            with self.lock:
                if ok:
                    self.done.append(time.monotonic())
                else:
                    self.failures.append((target, reason))

    def completed(self):
        with self.lock:
            return len(self.done)


def blackbox_side(processes, work, target_urls, interval, window):
    exporter = need("prometheus-blackbox-exporter", "prometheus-blackbox-exporter")
    port = free_port()
    log = os.path.join(work, "blackbox.log")
    process = processes.start(["taskset", "-c", "0", exporter, "--config.file=" + os.path.join(BENCH_DIR, "health-blackbox.yml"),
                               f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], log)
    wait_http(f"http://127.0.0.1:{port}/-/healthy", process, f"prometheus-blackbox-exporter (its log: {log})")
    driver = BlackboxDriver(("127.0.0.1", port), target_urls, interval)
    driver.start()
    try:
        time.sleep(interval)          # warm-up: one full round of every target
        first_count, first_cpu = driver.completed(), cpu_seconds(process.pid)
        time.sleep(window)
        last_cpu, last_count = cpu_seconds(process.pid), driver.completed()
        rss, peak = memory_mb(process.pid)
    finally:
        driver.stop()
        processes.stop(process)
    if driver.failures:
        target, reason = driver.failures[0]
        raise BenchError(f"blackbox: {len(driver.failures)} probes failed, the first of {target}: {reason} (its log: {log})")
    probes = last_count - first_count
    if probes <= 0:
        raise BenchError("blackbox completed no probe in the window")
    per_probe = (last_cpu - first_cpu) * 1000 / probes
    line("health: blackbox_exporter, CPU per probe", per_probe * 1000, "us",
         f"{probes} probes in {window} s, {len(target_urls)} targets every {interval} s, core 0")
    line("health: blackbox_exporter, RSS", rss, "MB", f"peak {peak:.1f} MB")
    return per_probe


# ---- healthd ---------------------------------------------------------------------------------

def healthd_config(work, target_urls, interval, dirctl):
    """A directory database (dirctl init) and a config with SERVICES http services; the config's
    path and the listen port."""
    folder = os.path.join(work, "healthd")
    os.makedirs(os.path.join(folder, "db"), exist_ok=True)
    port = free_port()
    timeout = max(1, min(5, int(interval) - 1))
    lines = [
        "database:",
        f"  path: {folder}/db/switchboard.sqlite",
        "health:",
        f"  listen: 127.0.0.1:{port}",
        f"  history_file: {folder}/db/health.sqlite",
        "  title: healthd benchmark",
    ]
    # No service has owners or alert recipients, so no mail is sent; the templates are named
    # anyway, for a healthd that checks them at start-up.
    templates = os.path.join(os.path.dirname(os.path.dirname(BENCH_DIR)), "Templates", "health")
    if os.path.isdir(templates):
        lines += ["  alerts:", f"    templates_dir: {templates}"]
    lines += ["  services:"]
    for number, target in enumerate(target_urls, start=1):
        lines += [
            f"    - name: svc-{number:04d}",
            "      kind: http",
            f"      target: {target}",
            f"      interval: {int(interval)}s",
            f"      timeout: {timeout}s",
        ]
    config = os.path.join(folder, "switchboard.yaml")
    with open(config, "w") as out:
        out.write("\n".join(lines) + "\n")
    if dirctl:
        if not os.access(dirctl, os.X_OK):
            raise BenchError(f"{dirctl} is not an executable: build dirctl first (ops/bench/run builds it in release mode)")
        subprocess.run([dirctl, "init", "--admin", "root", "--name", "Quản trị", "--config", config],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return config, port, folder


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        return answer.read().decode()


def probes_total(text):
    """The sum of healthd_probes_total over its labels (every result)."""
    values = re.findall(r"^healthd_probes_total(?:\{[^}]*\})?\s+([0-9.eE+-]+)", text, re.M)
    if not values:
        raise BenchError("healthd's /metrics has no healthd_probes_total: the probe count this benchmark divides by")
    return sum(float(value) for value in values)


def probe_successes(text):
    """(services with a result, services whose last probe failed)."""
    values = re.findall(r"^probe_success\{[^}]*\}\s+([0-9.eE+-]+)", text, re.M)
    return len(values), sum(1 for value in values if float(value) != 1)


def start_healthd(processes, healthd, config, port, folder, services, interval):
    if not os.access(healthd, os.X_OK):
        raise BenchError(f"{healthd} is not an executable: build healthd first (ops/bench/run builds it in release mode)")
    log = os.path.join(folder, "healthd.log")
    process = processes.start(["taskset", "-c", "0", healthd, "serve", "--config", config], log)
    wait_http(f"http://127.0.0.1:{port}/livez", process, f"healthd serve (its log: {log})")
    # Every service has a result after one interval (plus the slowest timeout): wait for that.
    deadline = time.monotonic() + interval * 3 + 10
    while True:
        if process.poll() is not None:
            raise BenchError(f"healthd serve exited with status {process.returncode} (its log: {log})")
        seen, failing = probe_successes(metrics(port))
        if seen >= services:
            break
        if time.monotonic() > deadline:
            raise BenchError(f"healthd has results for {seen} of {services} services after {interval * 3 + 10:.0f} s (its log: {log})")
        time.sleep(1)
    if failing:
        raise BenchError(f"healthd: {failing} of {services} services failed their probe of nginx (its log: {log})")
    return process, log


def healthd_side(processes, work, healthd, dirctl, target_urls, interval, window):
    config, port, folder = healthd_config(work, target_urls, interval, dirctl)
    process, log = start_healthd(processes, healthd, config, port, folder, len(target_urls), interval)
    try:
        time.sleep(interval)          # one more round at the steady rate before measuring
        first_count = probes_total(metrics(port))
        first_cpu = cpu_seconds(process.pid)
        time.sleep(window)
        last_cpu = cpu_seconds(process.pid)
        text = metrics(port)
        last_count = probes_total(text)
        rss, peak = memory_mb(process.pid)
        _, failing = probe_successes(text)
    finally:
        processes.stop(process)
    if failing:
        raise BenchError(f"healthd: {failing} services' last probe failed (its log: {log})")
    probes = last_count - first_count
    if probes <= 0:
        raise BenchError(f"healthd counted no probe in the {window} s window (its log: {log})")
    per_probe = (last_cpu - first_cpu) * 1000 / probes
    line("health: healthd, CPU per probe", per_probe * 1000, "us",
         f"{probes:.0f} probes in {window} s, {len(target_urls)} services every {interval} s, taskset -c 0")
    line("health: healthd, RSS", rss, "MB", f"peak {peak:.1f} MB; goal: at most 60 MB")
    return per_probe, rss


def probes_command(args):
    processes = Processes()
    try:
        base = start_nginx(processes, args.work)
        target_urls = targets(base, args.services)
        floor = curl_floor(args.work, base, args.floor_probes)
        blackbox = None
        if not args.skip_blackbox:
            blackbox = blackbox_side(processes, args.work, target_urls, args.interval, args.window)
        if args.healthd:
            mine, _ = healthd_side(processes, args.work, args.healthd, args.dirctl, target_urls, args.interval, args.window)
            line("health: healthd CPU per probe / floor", mine / floor, "x", "goal: at most 3")
            if blackbox:
                line("health: healthd CPU per probe / blackbox", mine / blackbox, "x", "goal: at most 0.2")
        else:
            print("health: no healthd binary given (--healthd): only the floor and blackbox were measured", flush=True)
    finally:
        processes.stop_all()


# ---- wrk on the HTTP endpoints ---------------------------------------------------------------

def wrk_run(url, duration, connections=50, threads=2):
    wrk = need("wrk", "wrk")
    pin = ["taskset", "-c", "1"] if os.cpu_count() and os.cpu_count() > 1 else []
    run = subprocess.run(pin + [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise BenchError(f"wrk on {url} failed (exit {run.returncode}): {run.stderr.strip()}")
    out = run.stdout
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if bad:
        raise BenchError(f"wrk on {url}: {bad.group(1)} answers were not 2xx")
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
    if not rate or not p99:
        raise BenchError(f"cannot read wrk's output for {url}:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale, (errors.group(0) if errors else "")


def http_command(args):
    processes = Processes()
    try:
        base = start_nginx(processes, args.work)
        target_urls = targets(base, args.services)
        config, port, folder = healthd_config(args.work, target_urls, args.interval, args.dirctl)
        process, log = start_healthd(processes, args.healthd, config, port, folder, args.services, args.interval)
        for path in ("/metrics", "/api/v1/status"):
            rate, p99, errors = wrk_run(f"http://127.0.0.1:{port}{path}", args.duration)
            note = f"{args.services} services, 50 connections, {args.duration} s; goal: at least 5000"
            line(f"health: {path}, requests/s", rate, "req/s", note + (f"; {errors}" if errors else ""))
            line(f"health: {path}, p99", p99, "ms", "goal: under 20 ms")
        if process.poll() is not None:
            raise BenchError(f"healthd serve exited during wrk (its log: {log})")
    finally:
        processes.stop_all()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    probes = commands.add_parser("probes", help="CPU per probe and RSS: libcurl floor, blackbox_exporter, healthd")
    probes.add_argument("--floor-probes", type=int, default=10000)
    probes.add_argument("--window", type=float, default=60)
    probes.add_argument("--skip-blackbox", action="store_true")
    web = commands.add_parser("http", help="wrk on /metrics and /api/v1/status")
    web.add_argument("--duration", type=int, default=10)
    for sub in (probes, web):
        sub.add_argument("--work", required=True, help="a scratch folder (made if missing)")
        sub.add_argument("--healthd", required=sub is web, help="the healthd binary (release build)")
        sub.add_argument("--dirctl", help="dirctl, to make the directory database healthd reads")
        sub.add_argument("--services", type=int, default=1000)
        sub.add_argument("--interval", type=float, default=10)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    args.work = os.path.abspath(args.work)
    if args.command == "probes":
        probes_command(args)
    else:
        http_command(args)


if __name__ == "__main__":
    try:
        main()
    except (BenchError, subprocess.CalledProcessError) as error:
        detail = error.stderr.decode(errors="replace").strip() if getattr(error, "stderr", None) else ""
        print(f"health.py: {error}" + (f": {detail}" if detail else ""), file=sys.stderr)
        sys.exit(1)
