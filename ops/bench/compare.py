#!/usr/bin/env python3
"""Prints a before/after table from two figure files of ops/bench/run (lines "NAME  VALUE UNIT ...").

    compare.py BEFORE AFTER

Figures are matched by name (the first 44 characters); a figure of one side only is listed too.
"""
import sys


def read(path):
    figures = {}
    try:
        with open(path, encoding="utf-8") as file:
            for text in file:
                name, rest = text[:44].strip(), text[44:].split()
                if len(rest) >= 2:
                    try:
                        figures[name] = (float(rest[0]), rest[1])
                    except ValueError:
                        pass
    except FileNotFoundError:
        pass
    return figures


def cell(value):
    if value is None:
        return f"{'-':>12}"
    return f"{value[0]:12.2f}" if value[0] < 10 else f"{value[0]:12.1f}"


def main():
    before, after = read(sys.argv[1]), read(sys.argv[2])
    names = list(after) + [name for name in before if name not in after]
    print(f"{'figure':44}{'before':>12}{'after':>12}  unit")
    for name in names:
        old, new = before.get(name), after.get(name)
        unit = (new or old)[1]
        print(f"{name:44}{cell(old)}{cell(new)}  {unit}")


if __name__ == "__main__":
    main()
