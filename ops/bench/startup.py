#!/usr/bin/env python3
"""Start-up wall times, interleaved run by run so that a busy machine slows every command alike.

    startup.py --runs 50 --khal-config FILE --dirctl LABEL=PATH --config LABEL=PATH [...] [--figures PREFIX]

Times /bin/true (process start), `dirctl --help` (start-up and argument parsing, no config or
database), `dirctl person show an.nguyen` for each labelled binary, and `khal list today`; then
splits the first binary's `person show` into the phases its `-v` timing lines name. Prints one
line per figure; with --figures, also appends each label's lines to PREFIX.LABEL.

Besides wall time it reports CPU time (user + system, from the kernel's accounting of each
child): on a machine busy with other work, wall time mostly measures waiting for a core, and CPU
time is the steadier yardstick.
"""
import argparse
import re
import resource
import statistics
import subprocess
import time


def wall(command):
    """Wall and CPU milliseconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return elapsed, cpu


def line(name, value, unit="ms", note=""):
    figure = f"{value:12.2f}" if value < 10 else f"{value:12.1f}"
    return f"{name:44}{figure} {unit}" + (f"   ({note})" if note else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--khal-config", required=True)
    parser.add_argument("--dirctl", action="append", required=True, help="LABEL=PATH")
    parser.add_argument("--config", action="append", required=True, help="LABEL=PATH")
    parser.add_argument("--figures")
    args = parser.parse_args()
    binaries = dict(item.split("=", 1) for item in args.dirctl)
    configs = dict(item.split("=", 1) for item in args.config)

    commands = {"/bin/true": ["/bin/true"], "khal list today": ["khal", "-c", args.khal_config, "list", "today"]}
    for label, path in binaries.items():
        commands[f"{label}: dirctl --help"] = [path, "--help"]
        commands[f"{label}: dirctl person show"] = [path, "person", "show", "an.nguyen", "--config", configs[label]]
    times = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            elapsed, used = wall(command)
            times[name].append(elapsed)
            cpu[name].append(used)
    median = {name: statistics.median(values) for name, values in times.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}

    lines = {label: [] for label in binaries}
    print(line("/bin/true (process start)", median["/bin/true"], note=f"median of {args.runs}; CPU {cpu_median['/bin/true']:.1f} ms"))
    print(line("khal list today", median["khal list today"], note=f"median of {args.runs}; CPU {cpu_median['khal list today']:.1f} ms"))
    for label in binaries:
        show = median[f"{label}: dirctl person show"]
        show_cpu = cpu_median[f"{label}: dirctl person show"]
        p90 = sorted(times[f"{label}: dirctl person show"])[int(args.runs * 0.9)]
        for text in (
            line("dirctl --help", median[f"{label}: dirctl --help"], note=f"CPU {cpu_median[f'{label}: dirctl --help']:.1f} ms"),
            line(f"dirctl person show, median of {args.runs}", show, note=f"goal: 15 ms or less; p90 {p90:.1f} ms"),
            line("  dirctl person show / khal list today", show / median["khal list today"], "x", "goal: 0.1 or less"),
            line("dirctl person show, CPU time", show_cpu, note="user + system, median"),
            line("  CPU time / khal's CPU time", show_cpu / cpu_median["khal list today"], "x"),
        ):
            lines[label].append(text)
            print(f"{label:7}{text}")

    # Where the first binary's time goes (the tree under test): its own `-v` timing lines.
    label = list(binaries)[0]
    phases = {}
    for _ in range(20):
        result = subprocess.run([binaries[label], "person", "show", "an.nguyen", "-v", "--config", configs[label]],
                                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for name, value in re.findall(r"timing: (.+?) ([0-9.]+) ms", result.stderr):
            phases.setdefault(name, []).append(float(value))
    if phases:
        print(f"{label}: inside `dirctl person show -v` (median of 20):")
        for name, values in phases.items():
            print("  " + line(name, statistics.median(values)))
    if args.figures:
        for label, texts in lines.items():
            with open(f"{args.figures}.{label}", "a", encoding="utf-8") as file:
                file.writelines(text + "\n" for text in texts)


if __name__ == "__main__":
    main()
