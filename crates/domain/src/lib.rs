//! The domain of Amtsstube: pure types and rules, no I/O.
//!
//! - [`vorgang`]: the case (Vorgang) with its applicant, form data, Anlagen, notes and messages.
//! - [`status`]: the status machine *as data* — a table of transitions, each naming its action,
//!   the roles allowed to take it and its guard; illegal moves are errors with German text.
//! - [`aktenzeichen`]: file numbers from a configurable pattern such as
//!   `{Amt}-{Kürzel}/{Jahr}/{Nr:05}`. The gap-free counter itself lives in the store, which
//!   assigns the number in the same transaction that inserts the case.
//! - [`frist`]: business days with German public holidays per Bundesland (Easter computed
//!   here), statutory processing deadlines per Leistung, and the derived "fällig"/"überfällig"
//!   (one rule, [`frist::Stichtag::faelligkeit`]; store, app and UI show what it says).
//! - [`bearbeitung`]: the actions of the case view ([`Handlung`]: a status action, Übernehmen,
//!   Wiedervorlage) with their labels and the guards of the two that change no status.
//! - [`nachforderung`]: requested Nachweise, the reply Frist, ticking off what a Nachreichung
//!   brings, and the one check of a message to the applicant.
//! - [`entscheidung`]: the decision draft's versions and authors, and the four-eyes rule the
//!   status machine enforces from them.
//! - [`eakte`]: the hand-over to the E-Akte as the case remembers it (steps, reference,
//!   import error, purge), and its one derived state.
//! - [`eingang`]: the intake states of a received FIT-Connect submission, shared by the
//!   store and the sync engine.
//!
//! Every type derives serde so the store, the sync engine and the UI contract can carry it.
//! Dates travel as ISO strings (`2026-03-31`), instants as RFC 3339.
//!
//! To extend: a new status or action is a new enum variant plus rows in
//! [`status::UEBERGAENGE`]; the property tests then check it automatically (reachability,
//! no dead ends, errors change nothing).
#![deny(missing_docs)]

pub mod aktenzeichen;
pub mod bearbeitung;
pub mod eakte;
pub mod eingang;
pub mod entscheidung;
pub mod frist;
pub mod nachforderung;
pub mod status;
pub mod vorgang;

pub use aktenzeichen::{Aktenzeichen, AktenzeichenMuster, AktenzeichenWerte, MusterFehler};
pub use bearbeitung::{Handlung, Hinderung};
pub use eingang::Eingangszustand;
pub use entscheidung::{Entwurfsgeschichte, Entwurfsversion};
pub use frist::{Bundesland, Faelligkeit, Fristenkatalog, Fristregel, Stichtag};
pub use nachforderung::{AngeforderterNachweis, Nachforderung, NachrichtFehler};
pub use status::{Aktion, Angabe, Fakten, Rolle, Status, StatusFehler, Waechter};
pub use vorgang::{
    AnlageRef, Antragsteller, DatenFormat, FitConnectIds, Formulardaten, Kanal, Leistung,
    Nachricht, NachrichtArt, Notiz, Prioritaet, Richtung, Vorgang, VorgangId,
};

/// Serde helpers for dates as `YYYY-MM-DD` (plain and optional).
#[allow(missing_docs)]
pub mod datum_serde {
    time::serde::format_description!(pub iso, Date, "[year]-[month]-[day]");
}
