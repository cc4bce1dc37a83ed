//! The session: who acts (login for `zustaendig` and the audit log, display name, roles,
//! contact for the Bescheid) and which day it is for them.
//!
//! # Who acts
//!
//! **Outside Demo-Modus** the acting person is the operating system's login of the process:
//! the user name of the real uid on Linux (asked from the system's user database, so LDAP or
//! SSSD logins work too), the account name on Windows ([`OsAnmeldung::ermitteln`], through the
//! `whoami` crate). No environment variable changes it: neither `AMTSSTUBE_BENUTZER` nor
//! `USER`, `USERNAME` or `LOGNAME`; a set `AMTSSTUBE_*` variable is reported as ignored in
//! [`SitzungsDaten::herkunft`]. A process whose real and effective uid differ (a setuid
//! installation) has no trustworthy login: it acts as `unbekannt` with Sachbearbeitung only.
//!
//! **Roles** come from the role assignment `rollen.toml` an administrator maintains beside the
//! policy ([`rollen_datei`]: `/etc/amtsstube/rollen.toml`, `%ProgramData%\Amtsstube\rollen.toml`;
//! the policy's `rollen_datei` names another file, [`rollen_datei_fuer`]):
//!
//! ```toml
//! [[person]]
//! login = "jweissgerber"
//! name = "Jördis Weißgerber"
//! rollen = ["sachbearbeitung", "zeichnungsbefugt"]
//! telefon = "0123 456-2217"   # optional, for the Bescheid's information block
//! email = "j.weissgerber@musterstadt.example"
//! zimmer = "2.17"
//! ```
//!
//! Roles are `sachbearbeitung`, `zeichnungsbefugt` and `teamleitung`; a person may hold
//! several (`rollen` left out means `["sachbearbeitung"]`). A login not in the file, or no
//! file, holds Sachbearbeitung only. The file is all or nothing: a TOML error, an unknown
//! field or role, an empty login or role list or a login listed twice rejects the whole file
//! (everybody holds Sachbearbeitung only) with a message naming the line
//! ([`Rollenzuordnung::parsen`]). Logins compare exactly on Linux and ignoring case on Windows
//! ([`Vergleich::SYSTEM`]).
//!
//! Because the file grants the four-eyes rights, it is used only if nobody but an
//! administrator can have written it ([`rechte_pruefen`]): on unix it must be owned by root
//! and not writable by group or others; on Windows it must carry the read-only attribute (the
//! installer creates `%ProgramData%\Amtsstube` writable by Administrators only; the ACLs are
//! not checked here). Otherwise it is ignored and [`SitzungsDaten::herkunft`] and the log say
//! what is wrong and what the administrator must do.
//!
//! The display name is the file's `name`, else the OS's full name (GECOS, Windows display
//! name), else the login.
//!
//! **In Demo-Modus** (no `connection.json`) the environment may still choose, for trying the
//! app out in several roles: `AMTSSTUBE_BENUTZER` (else the OS login), `AMTSSTUBE_ANZEIGENAME`
//! and `AMTSSTUBE_ROLLE`, a comma list such as `sachbearbeitung,zeichnungsbefugt`. Without
//! `AMTSSTUBE_ROLLE` a user listed in the role file gets the file's roles, anybody else
//! Sachbearbeitung. The header says „Demo-Modus · angemeldet als …“.
//!
//! # Design
//!
//! [`SitzungsDaten::ermitteln`] is a pure function of a [`Quelle`] (Demo-Modus or not, the
//! role file's path, the environment as a function, the OS login), so every rule is tested
//! without touching the process environment; [`SitzungsDaten::fuer_app`] fills the `Quelle`
//! from the real process and is what [`crate::AppContext::open`] uses. To add a role: a
//! variant in `ipc::Rolle` and `domain::Rolle`, its name in [`rolle_aus_text`], its rank in
//! [`rang`] and a line in the README.
//!
//! # Today
//!
//! "Today" is the local date: the UTC offset is read once when the session is created (early,
//! while the process is still single-threaded, where the platform allows reading it at all),
//! falling back to UTC.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use time::{Date, OffsetDateTime, UtcOffset};

/// Environment variable naming the user (Demo-Modus only).
pub const BENUTZER_ENV: &str = "AMTSSTUBE_BENUTZER";
/// Environment variable with the display name (Demo-Modus only).
pub const ANZEIGENAME_ENV: &str = "AMTSSTUBE_ANZEIGENAME";
/// Environment variable with the roles, comma-separated (Demo-Modus only).
pub const ROLLE_ENV: &str = "AMTSSTUBE_ROLLE";
/// File name of the role assignment beside the policy.
pub const ROLLEN_DATEINAME: &str = "rollen.toml";

/// Where the administrator's role assignment lives on this system, unless the policy names
/// another file ([`rollen_datei_fuer`]).
pub fn rollen_datei() -> PathBuf {
    behoerde::systemverzeichnis().join(ROLLEN_DATEINAME)
}

/// The role assignment under `richtlinie`: its `rollen_datei` when pinned, else
/// [`rollen_datei`]. The rights check ([`rechte_pruefen`]) applies to either.
pub fn rollen_datei_fuer(richtlinie: &richtlinie::Richtlinie) -> PathBuf {
    richtlinie.rollen_datei.clone().unwrap_or_else(rollen_datei)
}

/// The session of one context.
#[derive(Debug, Clone)]
pub struct SitzungsDaten {
    /// Login: the user id in `zustaendig` and the audit log.
    pub benutzer: String,
    /// Display name.
    pub anzeigename: String,
    /// Main role, for display (Teamleitung before Zeichnungsbefugt before Sachbearbeitung).
    pub rolle: ipc::Rolle,
    /// Every role held, in the order Sachbearbeitung, Zeichnungsbefugt, Teamleitung; never empty.
    pub rollen: Vec<ipc::Rolle>,
    /// Demo-Modus: the environment may have chosen user and roles.
    pub demo: bool,
    /// Where login and roles come from, in German (header tooltip, log, `amtsstube whoami`).
    pub herkunft: String,
    /// What the administrator should look at (a rejected role file, an ignored variable); each
    /// is part of [`Self::herkunft`] too. Empty when all is well.
    pub hinweise: Vec<String>,
    /// Telephone for the Bescheid's information block (role file).
    pub telefon: Option<String>,
    /// E-mail address for the Bescheid's information block (role file).
    pub email: Option<String>,
    /// Room for the Bescheid's information block (role file).
    pub zimmer: Option<String>,
    /// Local UTC offset, for "today".
    pub offset: UtcOffset,
}

/// The operating system's login of this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsAnmeldung {
    /// The login, or in German why there is none to trust.
    pub login: Result<String, String>,
    /// The full name the OS knows (GECOS, Windows display name), if any.
    pub vollname: Option<String>,
}

impl OsAnmeldung {
    /// A known login (tests, tools).
    pub fn bekannt(login: &str, vollname: Option<&str>) -> Self {
        Self {
            login: Ok(login.to_owned()),
            vollname: vollname.map(str::to_owned),
        }
    }

    /// Asks the operating system (never the environment): the user database entry of the
    /// process's uid on unix, the account name on Windows.
    pub fn ermitteln() -> Self {
        #[cfg(target_os = "linux")]
        let uids = linux_uids();
        #[cfg(target_os = "linux")]
        if let Some((real, effektiv)) = uids
            && real != effektiv
        {
            return Self {
                login: Err(format!(
                    "Amtsstube läuft mit einer fremden Benutzerkennung (real {real}, effektiv \
                     {effektiv}), die Anmeldung ist nicht eindeutig. Administration: Amtsstube \
                     ohne setuid-Bit installieren"
                )),
                vollname: None,
            };
        }
        let vollname = whoami::realname()
            .ok()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        match whoami::username() {
            Ok(login) if !login.trim().is_empty() => Self {
                vollname: vollname.filter(|n| *n != login),
                login: Ok(login),
            },
            _ => {
                #[cfg(target_os = "linux")]
                if let Some((real, _)) = uids {
                    // No entry in the user database (a container, a deleted account): the
                    // uid is still the truth and tells the audit log who it was.
                    return Self {
                        login: Ok(format!("uid-{real}")),
                        vollname: None,
                    };
                }
                Self {
                    login: Err(
                        "Das Betriebssystem nennt keine Anmeldung für diesen Prozess. \
                         Administration: Benutzerkonto prüfen"
                            .to_owned(),
                    ),
                    vollname: None,
                }
            }
        }
    }
}

/// Real and effective uid from `/proc/self/status` (no `unsafe` needed for it).
#[cfg(target_os = "linux")]
fn linux_uids() -> Option<(u32, u32)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let zeile = status.lines().find_map(|z| z.strip_prefix("Uid:"))?;
    let mut teile = zeile.split_whitespace().map(str::parse::<u32>);
    Some((teile.next()?.ok()?, teile.next()?.ok()?))
}

/// How logins compare: exactly (Linux) or ignoring case (Windows, whose account names do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vergleich {
    /// Byte for byte.
    Exakt,
    /// Ignoring upper and lower case.
    OhneGrossKlein,
}

impl Vergleich {
    /// This platform's rule.
    pub const SYSTEM: Vergleich = if cfg!(windows) {
        Vergleich::OhneGrossKlein
    } else {
        Vergleich::Exakt
    };

    /// Whether two logins are the same.
    pub fn gleich(self, a: &str, b: &str) -> bool {
        match self {
            Vergleich::Exakt => a == b,
            Vergleich::OhneGrossKlein => a.to_lowercase() == b.to_lowercase(),
        }
    }
}

/// What a session is determined from (see the module doc).
pub struct Quelle<'a> {
    /// Demo-Modus: the environment may choose.
    pub demo: bool,
    /// The role assignment to read; `None`: none.
    pub rollen_datei: Option<PathBuf>,
    /// The environment (trimmed, empty values count as unset by [`SitzungsDaten::ermitteln`]).
    pub umgebung: &'a dyn Fn(&str) -> Option<String>,
    /// The operating system's login.
    pub os: OsAnmeldung,
    /// How logins compare.
    pub vergleich: Vergleich,
}

/// One person of the role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Login.
    pub login: String,
    /// Display name.
    pub name: Option<String>,
    /// Roles (sorted, never empty).
    pub rollen: Vec<ipc::Rolle>,
    /// Telephone.
    pub telefon: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Room.
    pub zimmer: Option<String>,
}

/// The administrator's role assignment (`rollen.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rollenzuordnung {
    /// Everybody listed.
    pub personen: Vec<Person>,
}

mod roh {
    use serde::Deserialize;
    use toml::Spanned;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Datei {
        #[serde(default)]
        pub person: Vec<Person>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Person {
        pub login: Spanned<String>,
        pub name: Option<String>,
        pub rollen: Option<Spanned<Vec<Spanned<String>>>>,
        pub telefon: Option<String>,
        pub email: Option<String>,
        pub zimmer: Option<String>,
    }
}

fn zeile(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())].matches('\n').count() + 1
}

/// toml's and serde's most frequent messages, in German for the administrator.
fn toml_meldung_deutsch(m: &str) -> String {
    [
        ("unknown field", "unbekanntes Feld"),
        ("missing field", "Pflichtfeld fehlt:"),
        ("invalid type:", "falscher Typ:"),
        ("expected one of", "erlaubt sind"),
        ("expected", "erwartet"),
        ("duplicate key", "doppelter Schlüssel"),
        ("invalid value:", "ungültiger Wert:"),
    ]
    .iter()
    .fold(m.trim().to_owned(), |acc, (en, de)| acc.replace(en, de))
}

fn leer_ist_nichts(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Rollenzuordnung {
    /// Parses the file's text; the error names the line and says what to write instead.
    pub fn parsen(text: &str, vergleich: Vergleich) -> Result<Self, String> {
        let datei: roh::Datei = toml::from_str(text).map_err(|e| {
            let wo = e
                .span()
                .map(|s| format!("Zeile {}: ", zeile(text, s.start)))
                .unwrap_or_default();
            format!(
                "{wo}kein gültiger Eintrag ({}). Erlaubt sind [[person]]-Abschnitte mit login, \
                 name, rollen, telefon, email, zimmer",
                toml_meldung_deutsch(e.message())
            )
        })?;
        let mut personen: Vec<(usize, Person)> = Vec::with_capacity(datei.person.len());
        for p in datei.person {
            let z = zeile(text, p.login.span().start);
            let login = p.login.into_inner().trim().to_owned();
            if login.is_empty() || login.chars().any(char::is_whitespace) {
                return Err(format!(
                    "Zeile {z}: login „{login}“ ist keine Anmeldung. Den Anmeldenamen des \
                     Betriebssystems ohne Leerzeichen eintragen, z. B. login = \"jweissgerber\""
                ));
            }
            if let Some((erste, _)) = personen
                .iter()
                .find(|(_, q)| vergleich.gleich(&q.login, &login))
            {
                return Err(format!(
                    "Zeile {z}: login „{login}“ steht schon in Zeile {erste}. Jede Anmeldung nur \
                     einmal eintragen, mit allen ihren Rollen"
                ));
            }
            let rollen = match p.rollen {
                None => vec![ipc::Rolle::Sachbearbeitung],
                Some(liste) => {
                    let zl = zeile(text, liste.span().start);
                    let mut rollen = Vec::new();
                    for r in liste.into_inner() {
                        let zr = zeile(text, r.span().start);
                        let name = r.into_inner();
                        match rolle_aus_text(&name) {
                            Some(rolle) => rollen.push(rolle),
                            None => {
                                return Err(format!(
                                    "Zeile {zr}: unbekannte Rolle „{name}“. Erlaubt sind \
                                     „sachbearbeitung“, „zeichnungsbefugt“ und „teamleitung“"
                                ));
                            }
                        }
                    }
                    if rollen.is_empty() {
                        return Err(format!(
                            "Zeile {zl}: rollen ist leer. Mindestens eine Rolle eintragen, \
                             z. B. rollen = [\"sachbearbeitung\"]"
                        ));
                    }
                    ordnen(rollen)
                }
            };
            personen.push((
                z,
                Person {
                    login,
                    name: leer_ist_nichts(p.name),
                    rollen,
                    telefon: leer_ist_nichts(p.telefon),
                    email: leer_ist_nichts(p.email),
                    zimmer: leer_ist_nichts(p.zimmer),
                },
            ));
        }
        Ok(Self {
            personen: personen.into_iter().map(|(_, p)| p).collect(),
        })
    }

    /// The entry of `login`.
    pub fn person(&self, login: &str, vergleich: Vergleich) -> Option<&Person> {
        self.personen
            .iter()
            .find(|p| vergleich.gleich(&p.login, login))
    }
}

/// What a role file's metadata says about who may have written it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dateirechte {
    /// Owner uid and mode bits (unix).
    Unix {
        /// Owner.
        uid: u32,
        /// Mode (permission bits; file type bits are ignored).
        mode: u32,
    },
    /// The read-only attribute (Windows).
    Windows {
        /// Whether the read-only attribute is set.
        schreibgeschuetzt: bool,
    },
}

/// Whether a role file with these rights may be trusted; the error says what is wrong and what
/// the administrator must do.
pub fn rechte_pruefen(rechte: Dateirechte, pfad: &Path) -> Result<(), String> {
    let p = pfad.display();
    match rechte {
        Dateirechte::Unix { uid, mode } => {
            let fix = format!("Administration: chown root:root {p} && chmod 644 {p}");
            if uid != 0 {
                return Err(format!(
                    "{p} gehört nicht root, sondern der Benutzerkennung {uid}, und könnte so \
                     ohne Administration geändert werden. {fix}"
                ));
            }
            let wer = match (mode & 0o020 != 0, mode & 0o002 != 0) {
                (true, true) => Some("die Gruppe und alle anderen"),
                (true, false) => Some("die Gruppe"),
                (false, true) => Some("alle anderen"),
                (false, false) => None,
            };
            match wer {
                Some(wer) => Err(format!(
                    "{p} ist für {wer} beschreibbar (Rechte {:04o}). {fix}",
                    mode & 0o7777
                )),
                None => Ok(()),
            }
        }
        Dateirechte::Windows { schreibgeschuetzt } => {
            if schreibgeschuetzt {
                Ok(())
            } else {
                Err(format!(
                    "{p} ist nicht schreibgeschützt. Administration: Schreibrechte auf \
                     %ProgramData%\\Amtsstube nur für Administratoren vergeben und die Datei \
                     schreibschützen (attrib +R \"{p}\")"
                ))
            }
        }
    }
}

/// The role file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollenStand {
    /// There is no file.
    Fehlt,
    /// There is one, but it is not used (German reason with what to do).
    Abgelehnt(String),
    /// Read, trusted and valid.
    Geladen(Rollenzuordnung),
}

/// Reads and checks the role file at `pfad` (rights first, then content).
pub fn rollen_laden(pfad: &Path, vergleich: Vergleich) -> RollenStand {
    use std::io::Read as _;
    let p = pfad.display();
    let mut datei = match std::fs::File::open(pfad) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return RollenStand::Fehlt,
        Err(e) => {
            return RollenStand::Abgelehnt(format!(
                "{p} kann nicht gelesen werden ({e}). Administration: chmod 644 {p}"
            ));
        }
    };
    // The rights of the file actually opened, not of whatever the path names a moment later.
    let meta = match datei.metadata() {
        Ok(m) => m,
        Err(e) => {
            return RollenStand::Abgelehnt(format!("{p} kann nicht geprüft werden ({e})"));
        }
    };
    if !meta.is_file() {
        return RollenStand::Abgelehnt(format!(
            "{p} ist keine Datei. Administration: die Rollenzuordnung als Datei anlegen"
        ));
    }
    if let Err(grund) = rechte_pruefen(dateirechte(&meta), pfad) {
        return RollenStand::Abgelehnt(grund);
    }
    let mut text = String::new();
    if let Err(e) = datei.read_to_string(&mut text) {
        return RollenStand::Abgelehnt(format!(
            "{p} kann nicht gelesen werden ({e}). Administration: als UTF-8 speichern"
        ));
    }
    match Rollenzuordnung::parsen(&text, vergleich) {
        Ok(z) => RollenStand::Geladen(z),
        Err(grund) => RollenStand::Abgelehnt(format!("{p}, {grund}")),
    }
}

#[cfg(unix)]
pub(crate) fn dateirechte(meta: &std::fs::Metadata) -> Dateirechte {
    use std::os::unix::fs::MetadataExt as _;
    Dateirechte::Unix {
        uid: meta.uid(),
        mode: meta.mode(),
    }
}

#[cfg(not(unix))]
pub(crate) fn dateirechte(meta: &std::fs::Metadata) -> Dateirechte {
    Dateirechte::Windows {
        schreibgeschuetzt: meta.permissions().readonly(),
    }
}

/// A role by its name in the role file and `AMTSSTUBE_ROLLE` (any case).
pub fn rolle_aus_text(s: &str) -> Option<ipc::Rolle> {
    match s.trim().to_lowercase().as_str() {
        "sachbearbeitung" => Some(ipc::Rolle::Sachbearbeitung),
        "zeichnungsbefugt" => Some(ipc::Rolle::Zeichnungsbefugt),
        "teamleitung" => Some(ipc::Rolle::Teamleitung),
        _ => None,
    }
}

/// German label of a role.
pub fn rolle_text(r: ipc::Rolle) -> &'static str {
    match r {
        ipc::Rolle::Sachbearbeitung => "Sachbearbeitung",
        ipc::Rolle::Zeichnungsbefugt => "Zeichnungsbefugt",
        ipc::Rolle::Teamleitung => "Teamleitung",
    }
}

/// Order of the roles (the list's order; the highest is the main role).
fn rang(r: ipc::Rolle) -> u8 {
    match r {
        ipc::Rolle::Sachbearbeitung => 0,
        ipc::Rolle::Zeichnungsbefugt => 1,
        ipc::Rolle::Teamleitung => 2,
    }
}

/// Sorted, without duplicates, never empty.
fn ordnen(mut rollen: Vec<ipc::Rolle>) -> Vec<ipc::Rolle> {
    rollen.sort_by_key(|r| rang(*r));
    rollen.dedup();
    if rollen.is_empty() {
        rollen.push(ipc::Rolle::Sachbearbeitung);
    }
    rollen
}

fn hauptrolle(rollen: &[ipc::Rolle]) -> ipc::Rolle {
    rollen
        .iter()
        .copied()
        .max_by_key(|r| rang(*r))
        .unwrap_or(ipc::Rolle::Sachbearbeitung)
}

fn aufzaehlung(rollen: &[ipc::Rolle]) -> String {
    rollen
        .iter()
        .map(|r| rolle_text(*r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lokaler_offset() -> UtcOffset {
    UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
}

impl SitzungsDaten {
    /// The session of the desktop app and the CLI: the real process environment, the OS login
    /// and the role file of the policy ([`rollen_datei_fuer`]). What the administrator should
    /// look at goes to the log (stderr) too.
    pub fn fuer_app(demo: bool, richtlinie: &richtlinie::Richtlinie) -> Self {
        let umgebung = |name: &str| std::env::var(name).ok();
        let s = Self::ermitteln(&Quelle {
            demo,
            rollen_datei: Some(rollen_datei_fuer(richtlinie)),
            umgebung: &umgebung,
            os: OsAnmeldung::ermitteln(),
            vergleich: Vergleich::SYSTEM,
        });
        for h in &s.hinweise {
            eprintln!("Amtsstube, Anmeldung: {h}");
        }
        s
    }

    /// Determines the session from `quelle` (the rules are in the module doc).
    pub fn ermitteln(quelle: &Quelle<'_>) -> Self {
        let env = |name: &str| leer_ist_nichts((quelle.umgebung)(name));
        let mut hinweise = Vec::new();
        let mut herkunft = String::new();

        let (benutzer, login_vertrauenswuerdig) = if quelle.demo {
            match (env(BENUTZER_ENV), &quelle.os.login) {
                (Some(b), _) => {
                    herkunft.push_str("Demo-Modus: Benutzer aus AMTSSTUBE_BENUTZER");
                    (b, true)
                }
                (None, Ok(l)) => {
                    herkunft.push_str("Demo-Modus: Anmeldung des Betriebssystems");
                    (l.clone(), true)
                }
                (None, Err(_)) => {
                    herkunft.push_str("Demo-Modus: Beispielbenutzer");
                    ("sachbearbeitung".to_owned(), true)
                }
            }
        } else {
            let ignoriert: Vec<&str> = [BENUTZER_ENV, ANZEIGENAME_ENV, ROLLE_ENV]
                .into_iter()
                .filter(|n| env(n).is_some())
                .collect();
            if !ignoriert.is_empty() {
                hinweise.push(format!(
                    "{} gilt nur im Demo-Modus und wird nicht beachtet; Benutzer und Rollen \
                     kommen aus der Anmeldung und der Rollenzuordnung",
                    ignoriert.join(", ")
                ));
            }
            match &quelle.os.login {
                Ok(l) => {
                    herkunft.push_str("Anmeldung des Betriebssystems");
                    (l.clone(), true)
                }
                Err(grund) => {
                    herkunft.push_str("Anmeldung unbekannt");
                    hinweise.push(grund.clone());
                    ("unbekannt".to_owned(), false)
                }
            }
        };
        let _ = write!(herkunft, " ({benutzer})");

        let stand = quelle
            .rollen_datei
            .as_ref()
            .map(|p| (p, rollen_laden(p, quelle.vergleich)));
        let person = match &stand {
            Some((_, RollenStand::Geladen(z))) if login_vertrauenswuerdig => {
                z.person(&benutzer, quelle.vergleich).cloned()
            }
            _ => None,
        };

        let env_rollen = if quelle.demo { env(ROLLE_ENV) } else { None };
        let rollen = if let Some(text) = env_rollen {
            let mut rollen = Vec::new();
            let mut unbekannt = Vec::new();
            for teil in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                match rolle_aus_text(teil) {
                    Some(r) => rollen.push(r),
                    None => unbekannt.push(teil.to_owned()),
                }
            }
            herkunft.push_str("; Rollen aus AMTSSTUBE_ROLLE");
            if !unbekannt.is_empty() {
                hinweise.push(format!(
                    "AMTSSTUBE_ROLLE: unbekannte Rolle „{}“ nicht beachtet; erlaubt sind \
                     sachbearbeitung, zeichnungsbefugt, teamleitung (durch Komma getrennt)",
                    unbekannt.join("“, „")
                ));
            }
            ordnen(rollen)
        } else {
            match (&stand, &person) {
                (Some((p, _)), Some(person)) => {
                    let _ = write!(herkunft, "; Rollen aus {}", p.display());
                    person.rollen.clone()
                }
                (Some((p, RollenStand::Geladen(_))), None) => {
                    let _ = write!(
                        herkunft,
                        "; nicht in {} eingetragen: nur Sachbearbeitung",
                        p.display()
                    );
                    vec![ipc::Rolle::Sachbearbeitung]
                }
                (Some((p, RollenStand::Fehlt)), _) => {
                    let _ = write!(
                        herkunft,
                        "; keine Rollenzuordnung {}: nur Sachbearbeitung",
                        p.display()
                    );
                    vec![ipc::Rolle::Sachbearbeitung]
                }
                (Some((_, RollenStand::Abgelehnt(grund))), _) => {
                    herkunft.push_str("; Rollenzuordnung nicht verwendet: nur Sachbearbeitung");
                    hinweise.push(format!("Rollenzuordnung nicht verwendet: {grund}"));
                    vec![ipc::Rolle::Sachbearbeitung]
                }
                (None, _) => {
                    herkunft.push_str("; keine Rollenzuordnung: nur Sachbearbeitung");
                    vec![ipc::Rolle::Sachbearbeitung]
                }
            }
        };

        let os_vollname = match &quelle.os.login {
            Ok(l) if *l == benutzer => quelle.os.vollname.clone(),
            _ => None,
        };
        let anzeigename = quelle
            .demo
            .then(|| env(ANZEIGENAME_ENV))
            .flatten()
            .or_else(|| person.as_ref().and_then(|p| p.name.clone()))
            .or(os_vollname)
            .unwrap_or_else(|| benutzer.clone());

        for h in &hinweise {
            let _ = write!(herkunft, ". {h}");
        }
        let (telefon, email, zimmer) = match person {
            Some(p) => (p.telefon, p.email, p.zimmer),
            None => (None, None, None),
        };
        Self {
            benutzer,
            anzeigename,
            rolle: hauptrolle(&rollen),
            rollen,
            demo: quelle.demo,
            herkunft,
            hinweise,
            telefon,
            email,
            zimmer,
            offset: lokaler_offset(),
        }
    }

    /// A session for `benutzer` in `rolle` (tests, tools).
    pub fn neu(benutzer: &str, rolle: ipc::Rolle) -> Self {
        Self::mit_rollen(benutzer, &[rolle])
    }

    /// A session for `benutzer` holding `rollen` (tests, tools; none means Sachbearbeitung).
    pub fn mit_rollen(benutzer: &str, rollen: &[ipc::Rolle]) -> Self {
        let rollen = ordnen(rollen.to_vec());
        Self {
            benutzer: benutzer.to_owned(),
            anzeigename: benutzer.to_owned(),
            rolle: hauptrolle(&rollen),
            rollen,
            demo: false,
            herkunft: format!("vom Programm vorgegeben ({benutzer})"),
            hinweise: Vec::new(),
            telefon: None,
            email: None,
            zimmer: None,
            offset: lokaler_offset(),
        }
    }

    /// Today, local.
    pub fn heute(&self) -> Date {
        OffsetDateTime::now_utc().to_offset(self.offset).date()
    }

    /// The main role for the status machine.
    pub fn domain_rolle(&self) -> domain::Rolle {
        domain_rolle_von(self.rolle)
    }

    /// Every role held, for the status machine (order: Sachbearbeitung, Zeichnungsbefugt,
    /// Teamleitung).
    pub fn domain_rollen(&self) -> Vec<domain::Rolle> {
        self.rollen.iter().map(|r| domain_rolle_von(*r)).collect()
    }

    /// Whether the session holds `rolle`.
    pub fn hat(&self, rolle: ipc::Rolle) -> bool {
        self.rollen.contains(&rolle)
    }

    /// The header's text: „Jördis Weißgerber (Sachbearbeitung, Zeichnungsbefugt)“, in
    /// Demo-Modus with „Demo-Modus · angemeldet als “ before it.
    pub fn kopfzeile(&self) -> String {
        let wer = format!("{} ({})", self.anzeigename, aufzaehlung(&self.rollen));
        if self.demo {
            format!("Demo-Modus · angemeldet als {wer}")
        } else {
            wer
        }
    }

    /// As the UI receives it.
    pub fn als_ipc(&self) -> ipc::Sitzung {
        ipc::Sitzung {
            benutzer: self.benutzer.clone(),
            anzeigename: self.anzeigename.clone(),
            rolle: self.rolle,
            rollen: self.rollen.clone(),
            demo: self.demo,
            herkunft: self.herkunft.clone(),
            heute: iso(self.heute()),
        }
    }
}

fn domain_rolle_von(r: ipc::Rolle) -> domain::Rolle {
    match r {
        ipc::Rolle::Sachbearbeitung => domain::Rolle::Sachbearbeitung,
        ipc::Rolle::Zeichnungsbefugt => domain::Rolle::Zeichnungsbefugt,
        ipc::Rolle::Teamleitung => domain::Rolle::Teamleitung,
    }
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `TT.MM.JJJJ`, as German text shows dates.
pub fn deutsch(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

/// `TT.MM.JJJJ HH:MM` in UTC, for records that leave the desktop (E-Akte documents).
pub fn deutsch_zeit(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02} UTC",
        deutsch(t.date()),
        t.hour(),
        t.minute()
    )
}

/// RFC 3339 (UTC offset kept as stored).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Parses `YYYY-MM-DD`.
pub fn datum_parsen(s: &str) -> Option<Date> {
    let mut teile = s.trim().splitn(3, '-');
    let j: i32 = teile.next()?.parse().ok()?;
    let m: u8 = teile.next()?.parse().ok()?;
    let t: u8 = teile.next()?.parse().ok()?;
    Date::from_calendar_date(j, time::Month::try_from(m).ok()?, t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipc::Rolle::{Sachbearbeitung, Teamleitung, Zeichnungsbefugt};
    use std::collections::HashMap;

    const DATEI: &str = r#"
# Rollenzuordnung der Musterstadt
[[person]]
login = "jweissgerber"
name = "Jördis Weißgerber"
rollen = ["sachbearbeitung", "zeichnungsbefugt"]
telefon = "0123 456-2217"
zimmer = "2.17"

[[person]]
login = "tleitung"
rollen = ["teamleitung"]
"#;

    fn umgebung(paare: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = paare
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k: &str| m.get(k).cloned()
    }

    /// A root-owned 0644 role file (the tests run as root) in a fresh directory.
    fn rollen_datei_mit(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let pfad = dir.path().join(ROLLEN_DATEINAME);
        std::fs::write(&pfad, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&pfad, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = mode;
        (dir, pfad)
    }

    fn als_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    }

    fn sitzung(
        demo: bool,
        datei: Option<PathBuf>,
        env: &[(&str, &str)],
        os: OsAnmeldung,
    ) -> SitzungsDaten {
        let u = umgebung(env);
        SitzungsDaten::ermitteln(&Quelle {
            demo,
            rollen_datei: datei,
            umgebung: &u,
            os,
            vergleich: Vergleich::Exakt,
        })
    }

    #[test]
    fn outside_demo_mode_the_environment_cannot_choose_the_login_or_the_roles() {
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o644);
        let s = sitzung(
            false,
            Some(pfad),
            &[
                (BENUTZER_ENV, "jweissgerber"),
                (ANZEIGENAME_ENV, "Chefin"),
                (ROLLE_ENV, "teamleitung"),
                ("USER", "jweissgerber"),
                ("USERNAME", "jweissgerber"),
                ("LOGNAME", "jweissgerber"),
            ],
            OsAnmeldung::bekannt("mallory", Some("Mallory Muster")),
        );
        assert_eq!(s.benutzer, "mallory");
        assert_eq!(s.anzeigename, "Mallory Muster");
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        assert_eq!(s.rolle, Sachbearbeitung);
        assert!(!s.demo);
        assert!(
            s.herkunft.contains(
                "AMTSSTUBE_BENUTZER, AMTSSTUBE_ANZEIGENAME, AMTSSTUBE_ROLLE gilt nur im Demo-Modus"
            ),
            "{}",
            s.herkunft
        );
    }

    #[test]
    fn outside_demo_mode_the_role_file_gives_roles_name_and_contact() {
        if !als_root() {
            return; // a root-owned file needs root
        }
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o644);
        let s = sitzung(
            false,
            Some(pfad.clone()),
            &[],
            OsAnmeldung::bekannt("jweissgerber", Some("J. W. (GECOS)")),
        );
        assert_eq!(s.benutzer, "jweissgerber");
        assert_eq!(s.anzeigename, "Jördis Weißgerber");
        assert_eq!(s.rollen, vec![Sachbearbeitung, Zeichnungsbefugt]);
        assert_eq!(s.rolle, Zeichnungsbefugt);
        assert_eq!(
            s.domain_rollen(),
            vec![
                domain::Rolle::Sachbearbeitung,
                domain::Rolle::Zeichnungsbefugt
            ]
        );
        assert_eq!(s.domain_rolle(), domain::Rolle::Zeichnungsbefugt);
        assert!(s.hat(Zeichnungsbefugt) && !s.hat(Teamleitung));
        assert_eq!(s.telefon.as_deref(), Some("0123 456-2217"));
        assert_eq!(s.zimmer.as_deref(), Some("2.17"));
        assert_eq!(s.email, None);
        assert_eq!(
            s.herkunft,
            format!(
                "Anmeldung des Betriebssystems (jweissgerber); Rollen aus {}",
                pfad.display()
            )
        );
        assert!(s.hinweise.is_empty());
        let ipc = s.als_ipc();
        assert_eq!(ipc.rollen, vec![Sachbearbeitung, Zeichnungsbefugt]);
        assert!(!ipc.demo);
        assert_eq!(ipc.herkunft, s.herkunft);
    }

    #[test]
    fn a_login_not_in_the_file_or_without_a_file_holds_sachbearbeitung_only() {
        if !als_root() {
            return;
        }
        let (d, pfad) = rollen_datei_mit(DATEI, 0o644);
        let os = || OsAnmeldung::bekannt("neu", None);
        let s = sitzung(false, Some(pfad), &[], os());
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        assert_eq!(s.anzeigename, "neu");
        assert!(s.herkunft.contains("nicht in"), "{}", s.herkunft);
        let fehlt = d.path().join("gibt-es-nicht.toml");
        let s = sitzung(false, Some(fehlt), &[], os());
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        assert!(
            s.herkunft.contains("keine Rollenzuordnung"),
            "{}",
            s.herkunft
        );
        assert!(s.hinweise.is_empty());
    }

    #[test]
    fn a_role_file_writable_by_others_is_ignored_with_what_the_administrator_must_do() {
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o666);
        let s = sitzung(
            false,
            Some(pfad.clone()),
            &[],
            OsAnmeldung::bekannt("tleitung", None),
        );
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        let p = pfad.display();
        let h = s.hinweise.join("\n");
        assert!(
            h.contains(&format!("chown root:root {p} && chmod 644 {p}")),
            "{h}"
        );
        if als_root() {
            assert!(
                h.contains("für die Gruppe und alle anderen beschreibbar (Rechte 0666)"),
                "{h}"
            );
        }
        assert!(
            s.herkunft
                .contains("Rollenzuordnung nicht verwendet: nur Sachbearbeitung"),
            "{}",
            s.herkunft
        );
    }

    #[test]
    fn the_rights_rule_trusts_only_root_owned_files_nobody_else_can_write() {
        let p = Path::new("/etc/amtsstube/rollen.toml");
        for uid in [0_u32, 1, 1000, 65534] {
            for mode in 0..=0o7777_u32 {
                let erwartet = uid == 0 && mode & 0o022 == 0;
                let ergebnis = rechte_pruefen(Dateirechte::Unix { uid, mode }, p);
                assert_eq!(ergebnis.is_ok(), erwartet, "uid {uid}, mode {mode:o}");
                // The file type bits of st_mode do not matter.
                let mit_typ = rechte_pruefen(
                    Dateirechte::Unix {
                        uid,
                        mode: mode | 0o100_000,
                    },
                    p,
                );
                assert_eq!(mit_typ.is_ok(), erwartet);
                if let Err(m) = ergebnis {
                    assert!(
                        m.ends_with(
                            "Administration: chown root:root /etc/amtsstube/rollen.toml && \
                             chmod 644 /etc/amtsstube/rollen.toml"
                        ),
                        "{m}"
                    );
                }
            }
        }
        assert_eq!(
            rechte_pruefen(
                Dateirechte::Unix {
                    uid: 1000,
                    mode: 0o644
                },
                p
            )
            .unwrap_err(),
            "/etc/amtsstube/rollen.toml gehört nicht root, sondern der Benutzerkennung 1000, und \
             könnte so ohne Administration geändert werden. Administration: chown root:root \
             /etc/amtsstube/rollen.toml && chmod 644 /etc/amtsstube/rollen.toml"
        );
        assert!(
            rechte_pruefen(
                Dateirechte::Unix {
                    uid: 0,
                    mode: 0o664
                },
                p
            )
            .unwrap_err()
            .contains("für die Gruppe beschreibbar (Rechte 0664)")
        );
        assert!(
            rechte_pruefen(
                Dateirechte::Unix {
                    uid: 0,
                    mode: 0o646
                },
                p
            )
            .unwrap_err()
            .contains("für alle anderen beschreibbar (Rechte 0646)")
        );
        let w = Path::new(r"C:\ProgramData\Amtsstube\rollen.toml");
        assert!(
            rechte_pruefen(
                Dateirechte::Windows {
                    schreibgeschuetzt: true
                },
                w
            )
            .is_ok()
        );
        let m = rechte_pruefen(
            Dateirechte::Windows {
                schreibgeschuetzt: false,
            },
            w,
        )
        .unwrap_err();
        assert!(m.contains("nicht schreibgeschützt"), "{m}");
        assert!(m.contains("attrib +R"), "{m}");
    }

    #[test]
    fn a_root_owned_0644_file_is_trusted() {
        if !als_root() {
            return;
        }
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o644);
        match rollen_laden(&pfad, Vergleich::Exakt) {
            RollenStand::Geladen(z) => assert_eq!(z.personen.len(), 2),
            anders => panic!("{anders:?}"),
        }
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o600);
        assert!(matches!(
            rollen_laden(&pfad, Vergleich::Exakt),
            RollenStand::Geladen(_)
        ));
    }

    #[test]
    fn the_role_file_parses_into_people_with_sorted_roles() {
        let z = Rollenzuordnung::parsen(
            r#"
[[person]]
login = "a"
rollen = ["teamleitung", "Sachbearbeitung", "zeichnungsbefugt", "teamleitung"]
email = "a@musterstadt.example"
[[person]]
login = "b"
name = "  "
"#,
            Vergleich::Exakt,
        )
        .unwrap();
        assert_eq!(
            z.personen[0].rollen,
            vec![Sachbearbeitung, Zeichnungsbefugt, Teamleitung]
        );
        assert_eq!(
            z.personen[0].email.as_deref(),
            Some("a@musterstadt.example")
        );
        // `rollen` left out: Sachbearbeitung; an empty name counts as none.
        assert_eq!(z.personen[1].rollen, vec![Sachbearbeitung]);
        assert_eq!(z.personen[1].name, None);
        assert_eq!(
            Rollenzuordnung::parsen("", Vergleich::Exakt).unwrap(),
            Rollenzuordnung::default()
        );
        let beispiel = include_str!("../../../assets/examples/rollen.toml");
        let z = Rollenzuordnung::parsen(beispiel, Vergleich::Exakt).unwrap();
        assert!(z.personen.len() >= 3, "{z:?}");
    }

    #[test]
    fn an_unknown_role_rejects_the_file_with_its_line() {
        let text =
            "[[person]]\nlogin = \"a\"\nrollen = [\n  \"sachbearbeitung\",\n  \"chef\",\n]\n";
        let m = Rollenzuordnung::parsen(text, Vergleich::Exakt).unwrap_err();
        assert_eq!(
            m,
            "Zeile 5: unbekannte Rolle „chef“. Erlaubt sind „sachbearbeitung“, \
             „zeichnungsbefugt“ und „teamleitung“"
        );
    }

    #[test]
    fn a_faulty_role_file_names_the_line_and_everybody_holds_sachbearbeitung_only() {
        let faelle = [
            (
                "[[person]]\nlogin = \"a\"\nrolen = [\"teamleitung\"]\n",
                "Zeile 3:",
            ),
            (
                "[[person]]\nlogin = \"a\"\nrollen = [\"teamleitung\"\n",
                "Zeile ",
            ),
            (
                "[[person]]\nlogin = \"a\"\nrollen = []\n",
                "Zeile 3: rollen ist leer",
            ),
            (
                "[[person]]\nlogin = \"\"\n",
                "Zeile 2: login „“ ist keine Anmeldung",
            ),
            (
                "[[person]]\nlogin = \"a\"\n\n[[person]]\nlogin = \"a\"\n",
                "Zeile 5: login „a“ steht schon in Zeile 2",
            ),
        ];
        for (text, erwartet) in faelle {
            let m = Rollenzuordnung::parsen(text, Vergleich::Exakt).unwrap_err();
            assert!(m.starts_with(erwartet), "{text:?}: {m}");
        }
        let m = Rollenzuordnung::parsen(faelle[0].0, Vergleich::Exakt).unwrap_err();
        assert!(m.contains("unbekanntes Feld `rolen`"), "{m}");
        let (_d, pfad) = rollen_datei_mit(
            "[[person]]\nlogin = \"tleitung\"\nrollen = [\"teamleiter\"]\n",
            0o644,
        );
        let s = sitzung(
            false,
            Some(pfad),
            &[],
            OsAnmeldung::bekannt("tleitung", None),
        );
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        if als_root() {
            assert!(
                s.herkunft
                    .contains("Zeile 3: unbekannte Rolle „teamleiter“"),
                "{}",
                s.herkunft
            );
        }
    }

    #[test]
    fn logins_compare_ignoring_case_on_windows_only() {
        let z = Rollenzuordnung::parsen(DATEI, Vergleich::Exakt).unwrap();
        assert!(z.person("jweissgerber", Vergleich::Exakt).is_some());
        assert!(z.person("JWeissgerber", Vergleich::Exakt).is_none());
        assert!(
            z.person("JWeissgerber", Vergleich::OhneGrossKlein)
                .is_some()
        );
        let doppelt = "[[person]]\nlogin = \"Anna\"\n[[person]]\nlogin = \"anna\"\n";
        assert!(Rollenzuordnung::parsen(doppelt, Vergleich::Exakt).is_ok());
        assert!(Rollenzuordnung::parsen(doppelt, Vergleich::OhneGrossKlein).is_err());
        assert_eq!(
            Vergleich::SYSTEM,
            if cfg!(windows) {
                Vergleich::OhneGrossKlein
            } else {
                Vergleich::Exakt
            }
        );
    }

    #[test]
    fn in_demo_mode_the_environment_chooses_user_name_and_roles() {
        let s = sitzung(
            true,
            None,
            &[
                (BENUTZER_ENV, "jweissgerber"),
                (ANZEIGENAME_ENV, "Jördis Weißgerber"),
                (ROLLE_ENV, " Zeichnungsbefugt , sachbearbeitung"),
            ],
            OsAnmeldung::bekannt("root", None),
        );
        assert_eq!(s.benutzer, "jweissgerber");
        assert_eq!(s.rollen, vec![Sachbearbeitung, Zeichnungsbefugt]);
        assert!(s.demo);
        assert_eq!(
            s.kopfzeile(),
            "Demo-Modus · angemeldet als Jördis Weißgerber (Sachbearbeitung, Zeichnungsbefugt)"
        );
        assert!(
            s.herkunft
                .starts_with("Demo-Modus: Benutzer aus AMTSSTUBE_BENUTZER")
        );
        assert!(s.als_ipc().demo);

        // `teamleitung` alone, as before; unset: Sachbearbeitung and the OS login.
        let s = sitzung(
            true,
            None,
            &[(ROLLE_ENV, "teamleitung")],
            OsAnmeldung::bekannt("root", None),
        );
        assert_eq!(
            (s.rolle, s.rollen.clone()),
            (Teamleitung, vec![Teamleitung])
        );
        assert_eq!(s.benutzer, "root");
        let s = sitzung(
            true,
            None,
            &[(BENUTZER_ENV, " ")],
            OsAnmeldung::bekannt("root", None),
        );
        assert_eq!(
            (s.benutzer.as_str(), s.rollen.clone()),
            ("root", vec![Sachbearbeitung])
        );

        // Unknown roles are named and left out.
        let s = sitzung(
            true,
            None,
            &[(ROLLE_ENV, "chef")],
            OsAnmeldung::bekannt("root", None),
        );
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        assert!(
            s.herkunft.contains("unbekannte Rolle „chef“"),
            "{}",
            s.herkunft
        );
    }

    #[test]
    fn in_demo_mode_a_user_in_the_role_file_gets_its_roles_unless_the_environment_names_some() {
        if !als_root() {
            return;
        }
        let (_d, pfad) = rollen_datei_mit(DATEI, 0o644);
        let s = sitzung(
            true,
            Some(pfad.clone()),
            &[(BENUTZER_ENV, "jweissgerber")],
            OsAnmeldung::bekannt("root", Some("Administrator")),
        );
        assert_eq!(s.rollen, vec![Sachbearbeitung, Zeichnungsbefugt]);
        assert_eq!(s.anzeigename, "Jördis Weißgerber");
        assert_eq!(s.telefon.as_deref(), Some("0123 456-2217"));
        let s = sitzung(
            true,
            Some(pfad),
            &[(BENUTZER_ENV, "jweissgerber"), (ROLLE_ENV, "teamleitung")],
            OsAnmeldung::bekannt("root", None),
        );
        assert_eq!(s.rollen, vec![Teamleitung]);
    }

    #[test]
    fn without_a_trustworthy_os_login_the_session_is_unbekannt_without_roles_from_the_file() {
        if !als_root() {
            return;
        }
        let (_d, pfad) = rollen_datei_mit(
            "[[person]]\nlogin = \"unbekannt\"\nrollen = [\"teamleitung\"]\n",
            0o644,
        );
        let s = sitzung(
            false,
            Some(pfad),
            &[(BENUTZER_ENV, "tleitung")],
            OsAnmeldung {
                login: Err("setuid".to_owned()),
                vollname: None,
            },
        );
        assert_eq!(s.benutzer, "unbekannt");
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
        assert!(s.hinweise.iter().any(|h| h == "setuid"));
    }

    #[cfg(unix)]
    #[test]
    fn the_os_login_of_this_process_comes_from_the_os() {
        let os = OsAnmeldung::ermitteln();
        let login = os.login.unwrap();
        assert!(!login.is_empty());
        let erwartet = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        assert_eq!(login, String::from_utf8_lossy(&erwartet.stdout).trim());
    }

    #[test]
    fn sessions_for_tests_and_tools_hold_what_they_are_given() {
        let s = SitzungsDaten::neu("sb1", Teamleitung);
        assert_eq!(
            (s.rolle, s.rollen.clone()),
            (Teamleitung, vec![Teamleitung])
        );
        assert_eq!(s.domain_rolle(), domain::Rolle::Teamleitung);
        let s = SitzungsDaten::mit_rollen("z1", &[Teamleitung, Zeichnungsbefugt, Sachbearbeitung]);
        assert_eq!(s.rolle, Teamleitung);
        assert_eq!(
            s.domain_rollen(),
            vec![
                domain::Rolle::Sachbearbeitung,
                domain::Rolle::Zeichnungsbefugt,
                domain::Rolle::Teamleitung
            ]
        );
        assert_eq!(
            s.kopfzeile(),
            "z1 (Sachbearbeitung, Zeichnungsbefugt, Teamleitung)"
        );
        let s = SitzungsDaten::mit_rollen("x", &[]);
        assert_eq!(s.rollen, vec![Sachbearbeitung]);
    }
}
