-- Schema 1 of the Amtsstube store. Never edit after release: add 0002_….sql instead.

CREATE TABLE vorgang (
    nr                  INTEGER PRIMARY KEY,           -- internal row id, also the FTS rowid
    id                  TEXT NOT NULL UNIQUE,          -- VorgangId (UUID)
    aktenzeichen        TEXT NOT NULL UNIQUE,
    az_jahr             INTEGER NOT NULL,
    az_nr               INTEGER NOT NULL,
    leika               TEXT NOT NULL,
    leistung_name       TEXT NOT NULL,
    eingang_ms          INTEGER NOT NULL,
    status              TEXT NOT NULL,
    offen               INTEGER NOT NULL,              -- 1 while the status is open
    zustaendig          TEXT,
    frist               TEXT,                          -- YYYY-MM-DD
    wiedervorlage       TEXT,                          -- YYYY-MM-DD
    prioritaet          INTEGER NOT NULL,
    antragsteller_name  TEXT NOT NULL,
    submission_id       TEXT,
    doc                 TEXT NOT NULL,                 -- the whole Vorgang as JSON
    version             INTEGER NOT NULL DEFAULT 1,
    geaendert_ms        INTEGER NOT NULL,
    UNIQUE (az_jahr, az_nr)
);
CREATE INDEX vorgang_status_eingang ON vorgang (status, eingang_ms);
CREATE INDEX vorgang_offen_frist ON vorgang (offen, frist);
CREATE INDEX vorgang_zustaendig ON vorgang (zustaendig, offen, frist);
CREATE INDEX vorgang_leika ON vorgang (leika, offen, frist);
CREATE INDEX vorgang_wiedervorlage ON vorgang (wiedervorlage) WHERE wiedervorlage IS NOT NULL;
CREATE INDEX vorgang_eingang ON vorgang (eingang_ms);

-- Gap-free Aktenzeichen counter per year; only ever incremented inside the inserting transaction.
CREATE TABLE az_zaehler (
    jahr       INTEGER PRIMARY KEY,
    letzte_nr  INTEGER NOT NULL
);

-- Full-text index (contentless: the text lives in vorgang.doc). Text is folded before
-- indexing (ä→ae, ö→oe, ü→ue, ß→ss, lower case); unicode61 removes remaining diacritics.
-- detail = column: no phrase positions (search ANDs word prefixes), a fraction of the size
-- and write cost. One prefix index of length 3: longer prefixes scan the (small) term range,
-- a 2-character prefix index would cost more to maintain than it saves (measured).
CREATE VIRTUAL TABLE vorgang_fts USING fts5 (
    aktenzeichen, antragsteller, formular, notizen,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);

-- Attachments: content in encrypted files named by SHA-512; the per-file key lives here.
CREATE TABLE anlage (
    sha512       TEXT PRIMARY KEY,
    schluessel   BLOB NOT NULL,
    groesse      INTEGER NOT NULL,
    angelegt_ms  INTEGER NOT NULL
);
CREATE TABLE vorgang_anlage (
    vorgang_nr  INTEGER NOT NULL REFERENCES vorgang (nr),
    sha512      TEXT NOT NULL REFERENCES anlage (sha512),
    dateiname   TEXT NOT NULL,
    mime        TEXT NOT NULL,
    PRIMARY KEY (vorgang_nr, sha512, dateiname)
);

-- Hash-chained audit log.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    zeit_ms     INTEGER NOT NULL,
    wer         TEXT NOT NULL,
    was         TEXT NOT NULL,
    vorgang_id  TEXT,
    details     TEXT NOT NULL,
    vorher      BLOB NOT NULL,
    hash        BLOB NOT NULL
);
CREATE INDEX audit_vorgang ON audit (vorgang_id) WHERE vorgang_id IS NOT NULL;
-- The head of the chain, so that cutting entries off the end is detected too.
CREATE TABLE audit_kopf (
    eins  INTEGER PRIMARY KEY CHECK (eins = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
);

-- Outgoing effects (accept/reject, replies, E-Akte hand-over), drained by the sync engine.
CREATE TABLE outbox (
    id                    INTEGER PRIMARY KEY,
    idempotenz            TEXT NOT NULL UNIQUE,
    art                   TEXT NOT NULL,
    vorgang_id            TEXT,
    nutzlast              BLOB NOT NULL,
    angelegt_ms           INTEGER NOT NULL,
    versuche              INTEGER NOT NULL DEFAULT 0,
    naechster_versuch_ms  INTEGER NOT NULL,
    letzter_fehler        TEXT,
    zustand               TEXT NOT NULL DEFAULT 'offen'
                          CHECK (zustand IN ('offen', 'erledigt', 'aufgegeben')),
    erledigt_ms           INTEGER
);
CREATE INDEX outbox_faellig ON outbox (zustand, naechster_versuch_ms);

-- Received FIT-Connect submissions and their intake state.
CREATE TABLE einreichung (
    submission_id   TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    destination_id  TEXT NOT NULL,
    vorgang_id      TEXT REFERENCES vorgang (id),
    metadaten       TEXT,
    formulardaten   BLOB,
    schema_uri      TEXT,
    mime            TEXT,
    zustand         TEXT NOT NULL CHECK (zustand IN
                      ('received', 'stored', 'accept-pending', 'accepted', 'reject-pending', 'rejected')),
    zustand_ms      INTEGER NOT NULL,
    empfangen_ms    INTEGER NOT NULL,
    letzter_fehler  TEXT
);
CREATE INDEX einreichung_zustand ON einreichung (zustand);
CREATE TABLE einreichung_anlage (
    submission_id  TEXT NOT NULL REFERENCES einreichung (submission_id),
    attachment_id  TEXT NOT NULL,
    sha512         TEXT NOT NULL REFERENCES anlage (sha512),
    dateiname      TEXT,
    mime           TEXT NOT NULL,
    PRIMARY KEY (submission_id, attachment_id)
);
