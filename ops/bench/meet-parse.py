#!/usr/bin/env python3
"""python3-icalendar's side of the meet-parse benchmark: reads one .ics file the way an importer
would (parse, walk the VEVENTs, decode each DTSTART and DTEND) and prints events per second, best
of RUNS, in ops/bench/run's figure format.

    /usr/bin/python3 ops/bench/meet-parse.py FILE [RUNS]

Run it with Debian's python3 (it has python3-icalendar); prints "events N" on a line of its own
first, for the caller's check.
"""
import sys
import time

import icalendar


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, "rb") as file:
        data = file.read()
    best = None
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        calendar = icalendar.Calendar.from_ical(data)
        count = 0
        for event in calendar.walk("VEVENT"):
            event.decoded("DTSTART")
            event.decoded("DTEND", None)
            count += 1
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"events {count}")
    rate = count / best
    print(f"{'meet-parse: python3-icalendar':44}{rate:12.1f} events/s")


if __name__ == "__main__":
    main()
