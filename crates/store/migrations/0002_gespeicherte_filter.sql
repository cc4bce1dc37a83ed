-- Schema 2: saved queue filters, and indexes for sorting the queue by every column.
-- Never edit after release: add 0003_….sql instead.

-- Saved filters of the queue (the search text in them may be personal data, so they live in
-- the encrypted database, not in a settings file). `anfrage` is the UI's request as JSON.
CREATE TABLE gespeicherter_filter (
    name          TEXT PRIMARY KEY,
    anfrage       TEXT NOT NULL,
    geaendert_ms  INTEGER NOT NULL
);

-- The queue sorts by `<column>, nr`; an index on the column alone ends in the rowid (nr), so
-- the first page is read in index order instead of sorting every case.
CREATE INDEX vorgang_leistung_sort ON vorgang (leistung_name);
CREATE INDEX vorgang_status_sort ON vorgang (status);
CREATE INDEX vorgang_zustaendig_sort ON vorgang (zustaendig);
CREATE INDEX vorgang_antragsteller_sort ON vorgang (antragsteller_name COLLATE NOCASE);
