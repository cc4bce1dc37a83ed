//! The session: who works (user id for `zustaendig` and the audit log, display name, role)
//! and which day it is for them.
//!
//! - user: `AMTSSTUBE_BENUTZER`, else the OS user (`USER` / `USERNAME`), else `sachbearbeitung`;
//! - display name: `AMTSSTUBE_ANZEIGENAME`, else the user id;
//! - role: `AMTSSTUBE_ROLLE=teamleitung` makes a team lead, anything else a caseworker.
//!
//! "Today" is the local date: the UTC offset is read once when the session is created (early,
//! while the process is still single-threaded, where the platform allows reading it at all),
//! falling back to UTC.

use time::{Date, OffsetDateTime, UtcOffset};

/// Environment variable naming the user.
pub const BENUTZER_ENV: &str = "AMTSSTUBE_BENUTZER";
/// Environment variable with the display name.
pub const ANZEIGENAME_ENV: &str = "AMTSSTUBE_ANZEIGENAME";
/// Environment variable with the role (`sachbearbeitung` or `teamleitung`).
pub const ROLLE_ENV: &str = "AMTSSTUBE_ROLLE";

/// The session of one context.
#[derive(Debug, Clone)]
pub struct SitzungsDaten {
    /// User id.
    pub benutzer: String,
    /// Display name.
    pub anzeigename: String,
    /// Role.
    pub rolle: ipc::Rolle,
    /// Local UTC offset, for "today".
    pub offset: UtcOffset,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl SitzungsDaten {
    /// From the environment (see the module doc).
    pub fn aus_umgebung() -> Self {
        let benutzer = env(BENUTZER_ENV)
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
            .unwrap_or_else(|| "sachbearbeitung".to_owned());
        let rolle = match env(ROLLE_ENV).map(|r| r.to_lowercase()).as_deref() {
            Some("teamleitung") => ipc::Rolle::Teamleitung,
            _ => ipc::Rolle::Sachbearbeitung,
        };
        let mut s = Self::neu(&benutzer, rolle);
        if let Some(name) = env(ANZEIGENAME_ENV) {
            s.anzeigename = name;
        }
        s
    }

    /// A session for `benutzer` in `rolle`.
    pub fn neu(benutzer: &str, rolle: ipc::Rolle) -> Self {
        Self {
            benutzer: benutzer.to_owned(),
            anzeigename: benutzer.to_owned(),
            rolle,
            offset: UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC),
        }
    }

    /// Today, local.
    pub fn heute(&self) -> Date {
        OffsetDateTime::now_utc().to_offset(self.offset).date()
    }

    /// The role for the status machine.
    pub fn domain_rolle(&self) -> domain::Rolle {
        match self.rolle {
            ipc::Rolle::Sachbearbeitung => domain::Rolle::Sachbearbeitung,
            ipc::Rolle::Teamleitung => domain::Rolle::Teamleitung,
        }
    }

    /// As the UI receives it.
    pub fn als_ipc(&self) -> ipc::Sitzung {
        ipc::Sitzung {
            benutzer: self.benutzer.clone(),
            anzeigename: self.anzeigename.clone(),
            rolle: self.rolle,
            heute: iso(self.heute()),
        }
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
