-- Schema 4: the search index is rebuilt without its prefix index and with leaves that fit a
-- SQLCipher page. Never edit after release: add 0005_….sql instead.
--
-- Measured with `cargo bench -p store --features klartext-vergleich` at 100,000 cases:
-- - The prefix index of length 3 doubled every term written, costing about a fifth of the
--   intake rate, and saved only on three-letter queries (2.8 ms without it, 0.8 ms with it);
--   longer prefixes never used it. A prefix query scans the term range instead.
-- - FTS5 sizes its leaves at 4,050 bytes by default, for pages of 4,096 bytes. SQLCipher keeps
--   80 bytes of each page for IV and MAC, so every leaf spilled into an overflow page: 3,900
--   bytes fit.
-- The rows are filled again from `vorgang.doc` by the store right after this script, in the
-- same transaction (`verbindung::nach_migration`), because the text is folded in Rust.

DROP TABLE vorgang_fts;
CREATE VIRTUAL TABLE vorgang_fts USING fts5 (
    aktenzeichen, antragsteller, formular, notizen,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO vorgang_fts (vorgang_fts, rank) VALUES ('pgsz', 3900);
