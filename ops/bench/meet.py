#!/usr/bin/env python3
"""meetctl's view benchmarks on release binaries: agenda, find-time and import.

    meet.py --dirctl PATH --meetctl PATH --work DIR [--runs 30] [--events 10000]

In DIR it makes a directory (dirctl init, 221 people, 5 rooms), stores two weeks of bookings
with SQL as `meetctl book` stores them (the 20 benchmark people: about two meetings a day each,
shared; 200 others: 20,000 occurrences in the same fortnight, so indexes have work), then times:

- `meetctl agenda --week` for one of the 20 (wall, median of RUNS), and where the time goes (the
  `-v` timing lines: config, database open, actor, command);
- `meetctl find-time` for the 20 over those two weeks (wall, median);
- `meetctl import` of a generated EVENTS-event .ics (90% single meetings, 10% weekly series of 10,
  attendees from the directory, rooms by LOCATION, never double-booked): events per second, side
  by side with python3-icalendar reading the same file (Calendar.from_ical and walking the events).

Prints one figure line each (44-column name, value, unit), as SwitchboardBench does.
"""
import argparse
import datetime
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import time

ZONE_OFFSET = datetime.timedelta(hours=7)   # Asia/Ho_Chi_Minh, no DST
MONDAY = datetime.datetime(2027, 3, 1)       # a Monday, local wall clock


def line(name, value, unit, note=""):
    figure = f"{value:12.2f}" if value < 10 else f"{value:12.1f}"
    print(f"{name:44}{figure} {unit}" + (f"   ({note})" if note else ""), flush=True)


def unix(local):
    return int((local - ZONE_OFFSET).replace(tzinfo=datetime.timezone.utc).timestamp())


def run(command, **kwargs):
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def wall(command, runs):
    """Median wall and CPU (user + system) milliseconds of RUNS runs: on a machine busy with other
    builds, wall time mostly measures waiting for a core, and CPU time is the steadier yardstick."""
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run(command)
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(times), statistics.median(cpus)


def directory(args, config):
    dirctl = [args.dirctl]
    run(dirctl + ["init", "--admin", "root", "--name", "Quản trị", "--config", config])
    rows = ["login,name,email"] + [f"p{n:03d},Người {n},p{n:03d}@bench.gov.vn" for n in range(1, 221)]
    csv = os.path.join(args.work, "people.csv")
    with open(csv, "w") as handle:
        handle.write("\n".join(rows) + "\n")
    run(dirctl + ["person", "import", csv, "--config", config])
    for n in range(1, 6):
        run(dirctl + ["room", "add", f"Phòng {n}", "--kind", "physical", "--capacity", str(10 * n), "--config", config])


def bookings(database):
    """Two weeks for p001..p020 (shared meetings) and 20,000 occurrences of p021..p220."""
    random.seed(7)
    db = sqlite3.connect(database, timeout=30)
    ids = {login: pid for pid, login in db.execute("SELECT id, login FROM person")}
    now = "2027-02-01 00:00:00"
    serial = 0

    def meeting(organizer, attendees, start, minutes):
        nonlocal serial
        serial += 1
        cursor = db.execute(
            "INSERT INTO meeting (uid, title, organizer_id, time_zone, start_local, duration_seconds, created_at, updated_at)"
            " VALUES (?, ?, ?, 'Asia/Ho_Chi_Minh', ?, ?, ?, ?)",
            (f"bench-{serial}@bench", f"Họp {serial}", ids[organizer], start.isoformat(), minutes * 60, now, now))
        mid = cursor.lastrowid
        for login in [organizer] + attendees:
            db.execute("INSERT INTO meeting_attendee (meeting_id, address, person_id, name, role, partstat) VALUES (?, ?, ?, ?, ?, ?)",
                       (mid, f"{login}@bench.gov.vn", ids[login], login, "CHAIR" if login == organizer else "REQ-PARTICIPANT",
                        "ACCEPTED" if login == organizer else "NEEDS-ACTION"))
        begin = unix(start)
        db.execute("INSERT INTO meeting_occurrence (meeting_id, recurrence_id, start_at, end_at) VALUES (?, ?, ?, ?)",
                   (mid, f"r{begin}", begin, begin + minutes * 60))

    days = [MONDAY + datetime.timedelta(days=d) for d in range(14) if d % 7 < 5]
    team = [f"p{n:03d}" for n in range(1, 21)]
    for day in days:
        for _ in range(20):   # 20 meetings a day among 20 people, 3-5 each: about 4 per person
            people = random.sample(team, random.randint(3, 5))
            start = day.replace(hour=random.choice([7, 8, 9, 10, 13, 14, 15]), minute=random.choice([0, 30]))
            meeting(people[0], people[1:], start, random.choice([30, 60, 90]))
    others = [f"p{n:03d}" for n in range(21, 221)]
    for index in range(20_000):
        day = days[index % len(days)]
        start = day.replace(hour=7 + index % 10, minute=30 * (index // 10 % 2))
        people = random.sample(others, 3)
        meeting(people[0], people[1:], start, 30)
    db.commit()
    db.close()


def ics(path, events):
    """EVENTS VEVENTs: 10% weekly series of 10 without a room, the others single with a room by
    LOCATION; every event in a time of its own, so no room is ever booked twice."""
    random.seed(11)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//EN", "METHOD:PUBLISH",
           "BEGIN:VTIMEZONE", "TZID:Asia/Ho_Chi_Minh", "BEGIN:STANDARD", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700",
           "TZNAME:+07", "DTSTART:19700101T000000", "END:STANDARD", "END:VTIMEZONE"]
    # From next week on, 20 a day 45 minutes apart: inside the booking window (540 days).
    today = datetime.date.today()
    first = datetime.datetime(today.year, today.month, today.day, 6, 0) + datetime.timedelta(days=7)
    for n in range(events):
        start = first + datetime.timedelta(days=n // 20, minutes=45 * (n % 20))
        end = start + datetime.timedelta(minutes=40)
        people = random.sample(range(1, 221), 3)
        out += ["BEGIN:VEVENT", f"UID:import-{n}@old-system.example", "DTSTAMP:20270101T000000Z",
                f"DTSTART;TZID=Asia/Ho_Chi_Minh:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID=Asia/Ho_Chi_Minh:{end:%Y%m%dT%H%M%S}",
                f"SUMMARY:Cuộc họp số {n}, phòng ban {n % 37}", f"DESCRIPTION:Nội dung cuộc họp {n}\\nMang theo tài liệu.",
                f"ORGANIZER;CN=Người {people[0]}:mailto:p{people[0]:03d}@bench.gov.vn"]
        out += [f"ATTENDEE;CN=Người {p};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:p{p:03d}@bench.gov.vn"
                for p in people]
        if n % 10 == 0:
            out.append("RRULE:FREQ=WEEKLY;COUNT=10")
        else:
            out.append(f"LOCATION:Phòng {n % 5 + 1}, Tầng {n % 5 + 1}")
        out.append("END:VEVENT")
    out.append("END:VCALENDAR")
    with open(path, "w", newline="") as handle:
        handle.write("\r\n".join(out) + "\r\n")


def phases(command):
    """Milliseconds of each `-v` timing line of one run."""
    result = subprocess.run(command + ["-v"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = {}
    for match in re.finditer(r"timing: ([a-z ]+?) ([0-9.]+) ms", result.stderr):
        found[match.group(1)] = float(match.group(2))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dirctl", required=True)
    parser.add_argument("--meetctl", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    config = os.path.join(args.work, "c.yaml")
    with open(config, "w") as handle:
        handle.write(f"database:\n  path: {args.work}/s.sqlite\n")
    directory(args, config)
    bookings(os.path.join(args.work, "s.sqlite"))
    meet = [args.meetctl, "--config", config]

    agenda = meet + ["agenda", "--week", "--date", "2027-03-03", "--as", "p001"]
    median, cpu = wall(agenda, args.runs)
    lines = run(agenda).stdout.decode().count("\n") - 1
    line("meetctl agenda --week, wall median", median, "ms", f"goal: 15 ms or less; {lines} lines")
    line("meetctl agenda --week, CPU median", cpu, "ms", "user + system")
    split = phases(agenda)
    for name in ["config", "database open and schema check", "audit key", "actor", "command"]:
        if name in split:
            line(f"  agenda: {name}", split[name], "ms")

    team = ",".join(f"p{n:03d}" for n in range(2, 21))
    find = meet + ["find-time", "--with", team, "--duration", "1h", "--from", "2027-03-01", "--to", "2027-03-12", "--as", "p001"]
    median, cpu = wall(find + ["--json"], args.runs)
    line("meetctl find-time, 20 people, 2 weeks", median, "ms", "goal: under 50 ms; wall median, whole process")
    line("meetctl find-time, CPU median", cpu, "ms", "user + system")
    split = phases(find)
    if "command" in split:
        line("  find-time: command (after start-up)", split["command"], "ms")

    path = os.path.join(args.work, "import.ics")
    ics(path, args.events)
    database = os.path.join(args.work, "s.sqlite")
    shutil.copyfile(database, database + ".before-import")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(meet + ["import", path, "--json", "-v"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if result.returncode != 0:
        raise SystemExit(f"meet.py: meetctl import failed ({result.returncode}): {result.stderr[:2000]}")
    line(f"meetctl import, {args.events} events", args.events / seconds, "events/s", f"goal: 20000/s; wall {seconds * 1000:.0f} ms")
    line("meetctl import, by CPU time", args.events / cpu, "events/s", f"CPU {cpu * 1000:.0f} ms")
    for match in re.finditer(r"timing: import ([a-z ]+?) ([0-9.]+) ms \(CPU ([0-9.]+) ms\)", result.stderr):
        line(f"  import: {match.group(1)}, CPU", float(match.group(3)), "ms", f"wall {float(match.group(2)):.0f} ms")
    # Debian's python3-icalendar, under the system interpreter (a pyenv python3 on PATH lacks it).
    debian_python = "/usr/bin/python3"
    if subprocess.run([debian_python, "-c", "import icalendar"], stderr=subprocess.DEVNULL).returncode != 0:
        print("python3-icalendar is not installed: no side-by-side figure (apt-get install python3-icalendar)")
        return
    script = ("import sys, time, icalendar\n"
              "start = time.perf_counter()\n"
              "calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
              "count = len(list(calendar.walk('VEVENT')))\n"
              "print(count, time.perf_counter() - start)\n")
    count, python_seconds = subprocess.run([debian_python, "-c", script, path], check=True, stdout=subprocess.PIPE,
                                           text=True).stdout.split()
    python_rate = int(count) / float(python_seconds)
    line("python3-icalendar parse, same file", python_rate, "events/s",
         f"meetctl parses, validates and stores {args.events / seconds / python_rate:.1f}x as fast (wall); goal 10x")


if __name__ == "__main__":
    main()
