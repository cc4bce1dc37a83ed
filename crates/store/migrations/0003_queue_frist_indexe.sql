-- Schema 3: indexes that keep the first queue page fast at 100,000 cases where schema 2's
-- plans had to sort or scan (measured with `cargo bench -p app --bench posteingang`).
-- Never edit after release: add 0004_….sql instead.

-- "By deadline, none last" sorts by the expression `frist IS NULL, frist, nr`: only an index on
-- the same expressions serves it (ascending, and descending with the row number descending).
CREATE INDEX vorgang_frist_sort ON vorgang ((frist IS NULL), frist);
CREATE INDEX vorgang_frist_sort_ab ON vorgang ((frist IS NULL), frist DESC, nr DESC);
-- The view "Neu" by deadline.
CREATE INDEX vorgang_status_frist_sort ON vorgang (status, (frist IS NULL), frist);
-- "Wiedervorlage reached" among open cases (the view, its count and the due count): without
-- it the planner walks every open case by (offen, frist).
CREATE INDEX vorgang_offen_wiedervorlage ON vorgang (offen, wiedervorlage) WHERE wiedervorlage IS NOT NULL;
