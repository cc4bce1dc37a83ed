//! Errors of the store, with German text a caseworker or administrator can act on.

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No usable key source: refuse to start (never fall back to plaintext).
    #[error(
        "Amtsstube kann den Schlüssel der verschlüsselten Datenbank nicht sicher aufbewahren ({grund}). \
         Ohne Schlüssel startet Amtsstube nicht; unverschlüsselt wird nichts gespeichert. Möglichkeiten: \
         (1) den Schlüsselbund des Betriebssystems bereitstellen – unter Windows die Anmeldeinformationsverwaltung, \
         unter Linux einen Secret Service (z. B. GNOME Keyring oder KWallet) in der Sitzung; \
         (2) durch die Administration eine Schlüsseldatei festlegen: in der Richtlinie policy.toml (Linux /etc/amtsstube, Windows %ProgramData%\\Amtsstube) \
         schluesselquelle = \"datei\" und schluesseldatei = \"/pfad/zur/datei\", ohne Richtlinie die Umgebungsvariable \
         AMTSSTUBE_KEY_FILE=/pfad/zur/datei; die Datei nur für den Eigentümer lesbar (chmod 600)."
    )]
    KeinSchluesselspeicher {
        /// Technical cause.
        grund: String,
    },
    /// The database exists but its key is gone from the key source.
    #[error(
        "Die Datenbank {pfad} existiert, aber ihr Schlüssel ist in {quelle} nicht (mehr) vorhanden. \
         Stellen Sie den Schlüssel wieder her (Sicherung des Schlüsselbunds bzw. der Schlüsseldatei) \
         oder wenden Sie sich an die Administration. Es wird kein neuer Schlüssel erzeugt, damit keine Daten verloren gehen."
    )]
    SchluesselFehlt {
        /// Database file.
        pfad: String,
        /// Where the key was looked for.
        quelle: String,
    },
    /// The key file is unusable (permissions, content).
    #[error("Die Schlüsseldatei {pfad} wird abgelehnt: {grund}")]
    Schluesseldatei {
        /// File.
        pfad: String,
        /// Why.
        grund: String,
    },
    /// Wrong key, or not an Amtsstube database.
    #[error(
        "Die Datenbank {pfad} lässt sich mit dem vorhandenen Schlüssel nicht öffnen (falscher Schlüssel oder keine \
         Amtsstube-Datenbank). Es wurde nichts verändert. Prüfen Sie, ob der richtige Schlüsselbund bzw. die richtige \
         Schlüsseldatei eingerichtet ist."
    )]
    FalscherSchluessel {
        /// Database file.
        pfad: String,
    },
    /// The database was written by a newer version.
    #[error(
        "Die Datenbank hat den Schemastand {gefunden}, diese Version von Amtsstube kennt nur bis {bekannt}. \
         Bitte installieren Sie die aktuelle Version von Amtsstube; die Datenbank wurde nicht verändert."
    )]
    NeueresSchema {
        /// Version in the file.
        gefunden: i64,
        /// Highest version this build knows.
        bekannt: i64,
    },
    /// A case, attachment or submission does not exist.
    #[error("{0} wurde nicht gefunden.")]
    NichtGefunden(String),
    /// The status machine refused.
    #[error(transparent)]
    Status(#[from] domain::StatusFehler),
    /// A change is not allowed (intake states, attachment references, …).
    #[error("{0}")]
    Unzulaessig(String),
    /// An attachment file was altered or truncated.
    #[error("Die Anlage {sha512} ist beschädigt oder wurde verändert ({grund}).")]
    AnlageBeschaedigt {
        /// Address.
        sha512: String,
        /// What failed.
        grund: String,
    },
    /// SQLite error.
    #[error("Datenbankfehler: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// File system error.
    #[error("Dateifehler: {0}")]
    Io(#[from] std::io::Error),
    /// A stored record could not be read.
    #[error("Ein gespeicherter Datensatz ist unlesbar: {0}")]
    Daten(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Daten(e.to_string())
    }
}

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
