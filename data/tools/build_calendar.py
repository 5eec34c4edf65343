"""Builds data/calendar/working-days.toml and the differential fixture of the calendar tests
from the MIT-licensed PyPI package chinesecalendar (the State Council's holiday notices).

    pip install chinesecalendar==1.11.0
    python3 data/tools/build_calendar.py 2024 2026

Writes the TOML years and crates/xinyong-domain/tests/domain/data/chinesecalendar.tsv
(date, 1 if a working day else 0) for every day of those years.
"""
import sys

import chinese_calendar as cc
from chinese_calendar.constants import holidays, workdays
import datetime

first, last = int(sys.argv[1]), int(sys.argv[2])
years = range(first, last + 1)

with open("crates/xinyong-domain/tests/domain/data/chinesecalendar.tsv", "w") as f:
    f.write(f"# chinesecalendar {cc.__version__}: date, 1 = working day\n")
    d = datetime.date(first, 1, 1)
    while d.year <= last:
        f.write(f"{d}\t{1 if cc.is_workday(d) else 0}\n")
        d += datetime.timedelta(days=1)

for y in years:
    off = sorted(d for d in holidays if d.year == y and d.weekday() < 5)
    work = sorted(d for d in workdays if d.year == y)
    print(f"[[years]]\nyear = {y}")
    print("days_off = [\n" + "".join(f'  "{d}",\n' for d in off) + "]")
    print("working_weekends = [\n" + "".join(f'  "{d}",\n' for d in work) + "]\n")
