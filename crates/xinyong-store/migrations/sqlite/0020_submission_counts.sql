-- Issue #13 (statistics): rows each department submitted per day, accepted and rejected. A
-- rejected batch stores no record (all or nothing), so this counter is the only trace of it;
-- the rejection rate of a department is rejected / (accepted + rejected).
CREATE TABLE submission_counts (
    department  TEXT NOT NULL,
    day         TEXT NOT NULL,
    accepted    BIGINT NOT NULL,
    rejected    BIGINT NOT NULL,
    PRIMARY KEY (department, day)
);
