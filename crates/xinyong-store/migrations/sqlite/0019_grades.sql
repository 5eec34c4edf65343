-- Issue #13: stored grades. One row per graded subject: the grade the model in force gave on
-- `as_of`, with its whole explanation (every indicator, every point and the record behind it)
-- as JSON, so that a grade can be shown and explained without recomputing it. Replaced when
-- the subject is graded again; each batch of grades is logged (`grades.stored`) with the
-- model's digest.
CREATE TABLE grades (
    subject_code   TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    model          TEXT NOT NULL,
    model_version  TEXT NOT NULL,
    grade          TEXT NOT NULL,
    grade_zh       TEXT NOT NULL,
    score_centi    BIGINT NOT NULL,
    as_of          TEXT NOT NULL,
    explanation    TEXT NOT NULL,
    graded_at      TEXT NOT NULL
);
CREATE INDEX grades_by_grade ON grades (model, grade);

-- Issue #13: inspection draws ("double random, one public"): what was drawn, from which
-- population, with which seed, so that anyone can re-run it and compare.
CREATE TABLE inspection_draws (
    id                 TEXT PRIMARY KEY,
    department         TEXT NOT NULL,
    seed               BIGINT NOT NULL,
    requested          BIGINT NOT NULL,
    population         TEXT NOT NULL,
    population_size    BIGINT NOT NULL,
    population_digest  TEXT NOT NULL,
    drawn              TEXT NOT NULL,
    drawn_at           TEXT NOT NULL
);
CREATE INDEX inspection_draws_by_department ON inspection_draws (department, drawn_at);
