-- Schema 5: decision drafts (Bescheidentwurf), versioned, and what each approver last saw.
-- Never edit after release: add 0006_….sql instead. IF NOT EXISTS: a store taken back to an
-- older schema number (the migration tests do that) applies it again.

-- Every saved version of a case's draft; the content is the app's draft JSON (template,
-- texts, fees). Rows are never changed or deleted: the history is the versions.
CREATE TABLE IF NOT EXISTS bescheid_entwurf (
    vorgang_id  TEXT NOT NULL REFERENCES vorgang (id),
    version     INTEGER NOT NULL,
    verfasser   TEXT NOT NULL,
    zeit_ms     INTEGER NOT NULL,
    inhalt      TEXT NOT NULL,
    PRIMARY KEY (vorgang_id, version)
);

-- The version of the draft a person last looked at (the approver's diff starts there).
CREATE TABLE IF NOT EXISTS bescheid_gesehen (
    vorgang_id  TEXT NOT NULL REFERENCES vorgang (id),
    benutzer    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (vorgang_id, benutzer)
);
