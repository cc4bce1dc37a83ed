-- Hand-overs to the E-Akte (issue 17): which case a ProzessID belongs to, so a confirmation
-- that arrives in the return folder finds its case (also for an earlier, failed hand-over).
CREATE TABLE IF NOT EXISTS eakte_abgabe (
    prozess_id   TEXT PRIMARY KEY,           -- lowercase UUID of the 0605 message
    vorgang_id   TEXT NOT NULL,
    angelegt_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS eakte_abgabe_vorgang ON eakte_abgabe (vorgang_id);
