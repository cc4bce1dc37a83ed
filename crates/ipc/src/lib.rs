//! The one contract between the desktop UI and Rust.
//!
//! Every type that crosses the Tauri IPC boundary is declared here, once, with `ts-rs`; the
//! TypeScript declarations in `ui/src/ipc/bindings.ts` are generated from these types by
//! [`typescript_bindings`] (`cargo xtask bindings`) and committed. The test
//! `committed_typescript_bindings_are_current` fails when they are stale, so the UI can never
//! drift from what Rust sends.
//!
//! Errors cross as [`IpcError`] `{ code, message }`: `code` is the closed enum [`ErrorCode`]
//! the UI switches on, `message` is German text a caseworker can act on.
//!
//! To add a command: declare its request and response types here (derive `TS`), add them to
//! [`typescript_bindings`], add its entry to the command table in [`befehle`], implement the
//! body in the `app` crate on `AppContext`, write its forwarder in `src-tauri`, and run
//! `cargo xtask bindings` (wrappers, error codes and the capability follow the table).
#![deny(missing_docs)]

pub mod befehle;

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS};

/// Closed set of error codes the UI distinguishes. Add a code only when the UI needs to act
/// differently on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The profile directory or its database cannot be used.
    ProfileUnavailable,
    /// No key source for the encrypted store is usable.
    KeyUnavailable,
    /// The requested object does not exist.
    NotFound,
    /// The input was rejected; the message says which field and why.
    InvalidInput,
    /// The integration service could not be reached; worth retrying later.
    Offline,
    /// Anything else; the message says what to do next.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    /// What kind of error, for the UI to switch on.
    pub code: ErrorCode,
    /// German text for the caseworker: what happened and what to do next.
    pub message: String,
}

impl IpcError {
    /// Builds an error from a code and a German message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// How the app talks to an integration service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectionMode {
    /// No integration service configured: the built-in simulator runs in-process and the UI
    /// says clearly that this is a demonstration.
    Demo {
        /// Base URL of the in-process simulator, once it runs.
        simulator_url: Option<String>,
    },
    /// A real FIT-Connect integration service is configured.
    Live {
        /// Base URL of the submission API.
        base_url: String,
    },
}

/// Answer of `app_info`: what the app is and where it keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// Product name as shown in the header.
    pub product: String,
    /// Version of the application (semver).
    pub version: String,
    /// Absolute path of the profile directory (database, configuration).
    pub profile_dir: String,
    /// Demo or live connection.
    pub connection: ConnectionMode,
    /// What the administrator's policy pins (shown read-only in the settings).
    pub richtlinie: RichtlinieInfo,
}

/// The administrator's policy (`policy.toml`) as the settings view shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RichtlinieInfo {
    /// Where the policy is read from (also when there is none).
    pub datei: String,
    /// Whether there is a policy file.
    pub vorhanden: bool,
    /// Every setting it pins, in the order of its documentation; empty when it pins nothing.
    pub festlegungen: Vec<Festlegung>,
}

/// One setting pinned by the policy: „von der Administration festgelegt“, not changeable here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Festlegung {
    /// The field as written in the policy, e.g. `zustelldienst.base_url`.
    pub feld: String,
    /// German label.
    pub bezeichnung: String,
    /// The pinned value.
    pub wert: String,
}

/// The role of the person working in this session; decides which status actions are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Rolle {
    /// Caseworker (Sachbearbeitung).
    Sachbearbeitung,
    /// Team lead (Teamleitung): reviews queues and reassigns; acts on every case.
    Teamleitung,
    /// Signing authority (Zeichnungsbefugt): approves or returns decisions others drafted.
    Zeichnungsbefugt,
}

/// Outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Ergebnis {
    /// Bewilligung: granted in full.
    Stattgegeben,
    /// Teilbewilligung: granted in part.
    TeilweiseStattgegeben,
    /// Ablehnung: refused.
    Abgelehnt,
}

/// A fact of the decision the template uses (prefilled from the form data, editable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Angabefeld {
    /// Key in the template (`hund_name`).
    pub schluessel: String,
    /// Label as shown („Name des Hundes“).
    pub bezeichnung: String,
    /// Value as text.
    pub wert: String,
    /// The template expects a whole number (amounts in cents, years, counts).
    pub zahl: bool,
}

/// One row of the fee table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GebuehrZeile {
    /// What is charged.
    pub bezeichnung: String,
    /// Legal basis (`§ 3 Abs. 1 HStS`).
    pub rechtsgrundlage: String,
    /// Amount in cents.
    pub betrag_cent: i64,
}

/// The caseworker's decision draft: what the editor shows and saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BescheidEntwurf {
    /// Template (`hundesteuer`).
    pub vorlage: String,
    /// Outcome.
    pub ergebnis: Ergebnis,
    /// Facts the template uses.
    pub angaben: Vec<Angabefeld>,
    /// Numbered points of the Tenor.
    pub tenor: Vec<String>,
    /// Begründung (paragraphs separated by blank lines).
    pub begruendung: String,
    /// Nebenbestimmungen and Hinweise, one per item.
    pub nebenbestimmungen: Vec<String>,
    /// Fees.
    pub gebuehren: Vec<GebuehrZeile>,
    /// Kassenzeichen for the payment (fees > 0).
    pub kassenzeichen: String,
    /// Payment due date (`YYYY-MM-DD`, fees > 0).
    pub faellig_am: String,
}

/// A template the Leistung offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VorlageWahl {
    /// Template id.
    pub id: String,
    /// Name as shown.
    pub bezeichnung: String,
}

/// Whether a step of the decision is possible for the session's user, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Moeglich {
    /// Possible now.
    pub moeglich: bool,
    /// Why not (German), when not.
    pub hinweis: Option<String>,
}

/// One line of the difference between two draft versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiffZeile {
    /// `gleich`, `neu` (only in the newer version) or `weg` (only in the older).
    pub art: String,
    /// The line (with its section, e.g. „Begründung: …“).
    pub text: String,
}

/// The issued Bescheid of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BescheidInfo {
    /// Date (`YYYY-MM-DD`).
    pub datum: String,
    /// Approved version.
    pub version: u32,
    /// Who approved it.
    pub freigegeben_von: String,
    /// File name of the sealed PDF.
    pub dateiname: String,
    /// URL of the sealed PDF (the attachment protocol).
    pub url: String,
    /// Fee sum in cents.
    pub summe_cent: i64,
    /// Kassenzeichen, if fees are due.
    pub kassenzeichen: Option<String>,
    /// A fee is due and not yet marked paid.
    pub zahlung_offen: bool,
    /// When it was marked paid.
    pub bezahlt_am: Option<String>,
    /// How it reached the applicant, in German.
    pub versand: String,
}

/// What the Entscheidung tab shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntscheidungAnsicht {
    /// Templates of the case's Leistung.
    pub vorlagen: Vec<VorlageWahl>,
    /// The saved draft (latest version) or, without one, the prefilled proposal.
    pub entwurf: BescheidEntwurf,
    /// Version of the saved draft, if any.
    pub version: Option<u32>,
    /// Everyone who wrote a version.
    pub verfasser: Vec<String>,
    /// When the latest version was saved (RFC 3339).
    pub gespeichert_am: Option<String>,
    /// The Land's Rechtsbehelfsbelehrung for this decision (read-only).
    pub rechtsbehelfsbelehrung: String,
    /// Editing and saving the draft.
    pub bearbeiten: Moeglich,
    /// Submitting it for approval.
    pub vorlegen: Moeglich,
    /// Approving it (Freigeben).
    pub freigeben: Moeglich,
    /// Returning it with a comment.
    pub zurueckgeben: Moeglich,
    /// The version the session's user saw before this one, if any (start of the diff).
    pub zuletzt_gesehen: Option<u32>,
    /// What changed since `zuletzt_gesehen` (empty without an earlier version).
    pub aenderungen: Vec<DiffZeile>,
    /// The issued Bescheid, once approved.
    pub bescheid: Option<BescheidInfo>,
}

/// The seal or signature check of a PDF attachment (the Bescheid engine's verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiegelPruefung {
    /// The PDF carries a seal or signature at all.
    pub signiert: bool,
    /// Intact, covering the whole document and from a trusted issuer.
    pub gueltig: bool,
    /// The result in German („Siegel gültig: … (Aussteller …)“, or what failed).
    pub text: String,
}

/// Rendered preview pages of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BescheidVorschau {
    /// One SVG document per page.
    pub seiten: Vec<String>,
    /// How long the layout took, in milliseconds.
    pub millis: u32,
    /// Why the draft cannot be rendered (German); `seiten` is empty then.
    pub fehler: Option<String>,
}

/// Answer of `sitzung`: who works in this session and which day it is for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Sitzung {
    /// Login as stored in `zustaendig` and the audit log: the OS login (in Demo-Modus
    /// `AMTSSTUBE_BENUTZER` may choose).
    pub benutzer: String,
    /// Name shown in the header.
    pub anzeigename: String,
    /// Main role of the user (shown in the header).
    pub rolle: Rolle,
    /// Every role the user holds (from the administrator's role assignment; in Demo-Modus
    /// from the environment).
    pub rollen: Vec<Rolle>,
    /// Demo-Modus: the environment chose the user; the banner says so.
    pub demo: bool,
    /// Where user and roles come from, in German (for the header's tooltip and the log).
    pub herkunft: String,
    /// Today's date (`YYYY-MM-DD`, local time) on which views such as „Fällig" are based.
    pub heute: String,
}

/// A predefined view of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Ansicht {
    /// Cases in status „Neu".
    Neu,
    /// Open cases assigned to the session's user.
    Meine,
    /// Open cases due within the authority's lead time (business days) and not yet overdue.
    Faellig,
    /// Open cases whose deadline has passed.
    Ueberfaellig,
    /// Open cases whose Wiedervorlage date is today or earlier.
    WiedervorlageHeute,
    /// All cases.
    Alle,
    /// Decisions waiting for approval (for people with Zeichnungsbefugnis).
    ZurFreigabe,
    /// Finished cases not yet confirmed by the E-Akte (to hand over, on their way, failed).
    AbgabeOffen,
}

/// A column the queue can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortSpalte {
    /// File reference number.
    Aktenzeichen,
    /// Time of receipt.
    Eingang,
    /// Administrative service (Leistung).
    Leistung,
    /// Applicant's name.
    Antragsteller,
    /// Status of the case.
    Status,
    /// Deadline (cases without a deadline last).
    Frist,
    /// Assigned caseworker (unassigned cases first when ascending, last when descending).
    Zustaendig,
}

/// Request of `posteingang`: one page of one view of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueAnfrage {
    /// Which view.
    pub ansicht: Ansicht,
    /// Full-text search within the view (Aktenzeichen, applicant, form text, notes); empty or
    /// `null` means no search.
    #[serde(default)]
    pub suche: Option<String>,
    /// Column to sort by.
    pub sortierung: SortSpalte,
    /// Sort descending instead of ascending.
    #[serde(default)]
    pub absteigend: bool,
    /// Index of the first row of the page (0-based).
    #[serde(default)]
    pub offset: u32,
    /// Number of rows of the page (1 to 500).
    pub limit: u32,
}

/// How a deadline stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Faelligkeit {
    /// Nothing due soon (or no deadline).
    Offen,
    /// Due: the deadline is within the authority's lead time, or the Wiedervorlage date has come.
    Faellig,
    /// The deadline has passed.
    Ueberfaellig,
}

/// Status of a case (the domain's status machine); the UI shows the `status_text` it gets
/// beside it and switches on this code only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, nobody has started.
    Neu,
    /// A caseworker examines the application.
    InPruefung,
    /// Missing documents were requested from the applicant.
    NachforderungOffen,
    /// A decision waits for approval.
    EntscheidungInFreigabe,
    /// The decision is issued.
    Beschieden,
    /// Handed over to the E-Akte.
    AnEAkteUebergeben,
    /// Archived (final).
    Archiviert,
    /// Formally rejected.
    Zurueckgewiesen,
    /// Forwarded to another authority.
    Weitergeleitet,
    /// Withdrawn by the applicant.
    Zurueckgezogen,
}

/// An action of the case view: take the case over, set a Wiedervorlage, or a status action of
/// the status machine. The button text comes as [`AktionInfo::bezeichnung`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Aktion {
    /// Make the session's user responsible (no status change).
    Uebernehmen,
    /// Set the Wiedervorlage date (no status change).
    Wiedervorlage,
    /// Start examining.
    PruefungBeginnen,
    /// Request missing documents.
    Nachfordern,
    /// The requested documents arrived.
    UnterlagenEingegangen,
    /// End the request without documents.
    NachforderungBeenden,
    /// Submit the decision for approval.
    ZurFreigabeVorlegen,
    /// Approve the decision.
    Freigeben,
    /// Send the draft back.
    FreigabeVerweigern,
    /// Hand over to the E-Akte.
    AnEAkteUebergeben,
    /// Archive.
    Archivieren,
    /// Reject formally.
    Zurueckweisen,
    /// Forward to another authority.
    Weiterleiten,
    /// Record the applicant's withdrawal.
    ZurueckziehenVermerken,
}

/// An input an action's dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Angabe {
    /// A reason.
    Begruendung,
    /// The receiving authority.
    Empfaenger,
    /// A date (`YYYY-MM-DD`).
    Datum,
    /// The Nachforderung dialog (Nachweise, text, reply Frist; sent as a message).
    Nachforderung,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueZeile {
    /// Id of the case (for `vorgang`).
    pub id: String,
    /// File reference number.
    pub aktenzeichen: String,
    /// Time of receipt (RFC 3339).
    pub eingang: String,
    /// Name of the administrative service.
    pub leistung: String,
    /// Applicant's name.
    pub antragsteller: String,
    /// Status.
    pub status: Status,
    /// Status as shown (e.g. „Neu", „In Prüfung").
    pub status_text: String,
    /// Deadline (`YYYY-MM-DD`), if any.
    pub frist: Option<String>,
    /// How the deadline stands today (not by colour alone: the UI shows text or an icon too).
    pub faelligkeit: Faelligkeit,
    /// Wiedervorlage date (`YYYY-MM-DD`), if any.
    pub wiedervorlage: Option<String>,
    /// Assigned caseworker, if any.
    pub zustaendig: Option<String>,
    /// Follow-up documents have arrived that nobody has looked at yet.
    pub neue_unterlagen: bool,
}

/// Answer of `posteingang`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueAntwort {
    /// The rows of the requested page.
    pub zeilen: Vec<QueueZeile>,
    /// Number of all rows matching view and search (for the virtual scroll height).
    pub gesamt: u32,
    /// Index of the first row in `zeilen`.
    pub offset: u32,
}

/// Answer of `ansicht_zahlen`: how many cases each view holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnsichtZahlen {
    /// Cases in view „Neu".
    pub neu: u32,
    /// Cases in view „Meine".
    pub meine: u32,
    /// Cases in view „Fällig".
    pub faellig: u32,
    /// Cases in view „Überfällig".
    pub ueberfaellig: u32,
    /// Cases in view „Wiedervorlage heute".
    pub wiedervorlage_heute: u32,
    /// All cases.
    pub alle: u32,
    /// Cases in view „Zur Freigabe".
    pub zur_freigabe: u32,
    /// Cases in view „Abgabe offen".
    pub abgabe_offen: u32,
    /// Every view in display order with its name as shown (e.g. „Fällig (5 Arbeitstage)“,
    /// from the authority's deadline catalogue).
    pub ansichten: Vec<AnsichtInfo>,
}

/// A view of the queue with its name as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnsichtInfo {
    /// Which view.
    pub ansicht: Ansicht,
    /// Its name (tab text).
    pub bezeichnung: String,
}

/// A saved queue filter (kept in the encrypted database: search text may be personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GespeicherterFilter {
    /// Name chosen by the user; unique, saving under an existing name replaces it.
    pub name: String,
    /// The queue request it restores.
    pub anfrage: QueueAnfrage,
}

/// The applicant of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Antragsteller {
    /// Name of the person or organisation.
    pub name: String,
    /// Postal address in one line, if given.
    pub anschrift: Option<String>,
    /// E-mail or phone, if given.
    pub kontakt: Option<String>,
}

/// The form data of an application, as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Formular {
    /// `json` or `xml`.
    pub format: String,
    /// Schema URI the online service declared.
    pub schema_uri: String,
    /// The form data as received (text; never to be interpreted as HTML).
    pub inhalt: String,
    /// JSON Schema text when the schema is known locally, else `null` (render key/value).
    pub schema: Option<String>,
}

/// An attachment of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnlageInfo {
    /// SHA-512 of the content (hex); identifies the attachment within the case.
    pub sha512: String,
    /// File name as given by the applicant.
    pub dateiname: String,
    /// MIME type.
    pub mime: String,
    /// Size in bytes.
    pub groesse: u64,
    /// The hash was verified at intake.
    pub geprueft: bool,
    /// URL of the content through the app's attachment protocol (no plaintext file on disk).
    pub url: String,
}

/// An internal note on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NotizInfo {
    /// Who wrote it.
    pub autor: String,
    /// When (RFC 3339).
    pub zeit: String,
    /// The text (plain text, never HTML).
    pub text: String,
}

/// One readable entry of a case's history (from the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerlaufEintrag {
    /// When (RFC 3339).
    pub zeit: String,
    /// Who (user id, or „System" for the sync engine).
    pub wer: String,
    /// What happened, in German (e.g. „Status: Neu → In Prüfung (In Prüfung nehmen)").
    pub was: String,
}

/// An action the case view offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AktionInfo {
    /// The action, for `vorgang_aktion`.
    pub aktion: Aktion,
    /// Button text.
    pub bezeichnung: String,
    /// Whether the action is possible now.
    pub moeglich: bool,
    /// Why it is not possible (German), if it is not.
    pub hinweis: Option<String>,
    /// Needs a confirmation dialog because it cannot be undone.
    pub bestaetigen: bool,
    /// Input the dialog must ask for.
    pub eingabe: Option<Angabe>,
}

/// Answer of `vorgang`: everything the case view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VorgangDetail {
    /// Id of the case.
    pub id: String,
    /// File reference number.
    pub aktenzeichen: String,
    /// Name of the administrative service.
    pub leistung: String,
    /// Leistungskatalog key of the service.
    pub leika: String,
    /// Time of receipt (RFC 3339).
    pub eingang: String,
    /// The applicant.
    pub antragsteller: Antragsteller,
    /// Status.
    pub status: Status,
    /// Status as shown.
    pub status_text: String,
    /// Deadline (`YYYY-MM-DD`), if any.
    pub frist: Option<String>,
    /// How the deadline stands today.
    pub faelligkeit: Faelligkeit,
    /// Wiedervorlage date (`YYYY-MM-DD`), if any.
    pub wiedervorlage: Option<String>,
    /// Assigned caseworker, if any.
    pub zustaendig: Option<String>,
    /// Priority as shown (e.g. „Normal", „Hoch").
    pub prioritaet: String,
    /// FIT-Connect submission id, if the case came in over FIT-Connect.
    pub submission_id: Option<String>,
    /// FIT-Connect case id, if any.
    pub case_id: Option<String>,
    /// The form data.
    pub formular: Formular,
    /// The attachments.
    pub anlagen: Vec<AnlageInfo>,
    /// Internal notes, oldest first.
    pub notizen: Vec<NotizInfo>,
    /// History, oldest first.
    pub verlauf: Vec<VerlaufEintrag>,
    /// Actions offered to the session's user.
    pub aktionen: Vec<AktionInfo>,
    /// The thread with the applicant, newest first.
    pub nachrichten: Vec<NachrichtInfo>,
    /// The open (or last) Nachforderung, if any.
    pub nachforderung: Option<NachforderungInfo>,
    /// The issued Bescheid (with its payment state), once approved.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bescheid: Option<BescheidInfo>,
    /// How the case can write to the applicant.
    pub rueckkanal: RueckkanalInfo,
    /// The Nachweise the Leistung's configuration lets a caseworker request.
    pub nachweise_der_leistung: Vec<NachweisAuswahl>,
    /// The default reply Frist of a Nachforderung from today (`YYYY-MM-DD`; the Leistung's
    /// Nachforderungsfrist in working days with the Land's holidays).
    pub nachforderungsfrist: String,
    /// The hand-over to the E-Akte, once decided.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eakte: Option<EAkteInfo>,
}

/// The hand-over of a case to the E-Akte, as the case view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EAkteInfo {
    /// Step: `wartet`, `zugestellt`, `empfangen`, `zu_den_akten`, `fehler`, `geloescht`.
    pub zustand: String,
    /// The step as shown, e.g. „Zu den Akten“.
    pub zustand_text: String,
    /// ProzessID of the xdomea message.
    pub prozess_id: String,
    /// When it was handed over (RFC 3339) and by whom.
    pub uebergeben: String,
    /// Login of the person who handed it over.
    pub von: String,
    /// Number of documents in the message.
    pub dokumente: u32,
    /// When it was delivered to the hand-over folder or endpoint (RFC 3339).
    pub zugestellt: Option<String>,
    /// When the E-Akte confirmed the receipt (0629, RFC 3339).
    pub empfangen: Option<String>,
    /// When the E-Akte confirmed the import (0630, RFC 3339).
    pub importiert: Option<String>,
    /// The E-Akte's reference of the filed case.
    pub referenz: Option<String>,
    /// The E-Akte's error text when the import failed.
    pub fehler: Option<String>,
    /// Why the delivery has not worked yet (it is retried), e.g. a full disk.
    pub zustellfehler: Option<String>,
    /// When the local copy was deleted (RFC 3339); the case is a tombstone since.
    pub geloescht: Option<String>,
    /// When the local copy will be deleted (RFC 3339), once imported.
    pub loeschung_ab: Option<String>,
}

/// One document of a hand-over to the E-Akte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EAkteDokument {
    /// Title, e.g. „Antrag (Formulardaten)“, „Bescheid“.
    pub titel: String,
    /// Kind as shown: Antrag, Anlage, Nachricht, Bescheid, Protokoll.
    pub typ: String,
    /// File name as the caseworker knows it (in the container it is prefixed with its id).
    pub dateiname: String,
    /// Size in bytes.
    pub groesse: u64,
    /// Carries an embedded seal or signature.
    pub signiert: bool,
}

/// What „An E-Akte abgeben“ will hand over, for the confirmation dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EAkteVorschau {
    /// Id of the case.
    pub id: String,
    /// File reference number.
    pub aktenzeichen: String,
    /// The receiving E-Akte and where the message goes (folder or address).
    pub ziel: String,
    /// The documents, in the message's order.
    pub dokumente: Vec<EAkteDokument>,
    /// Size of the container in bytes.
    pub groesse: u64,
    /// A new attempt after an import error.
    pub erneut: bool,
    /// Grace period before the local copy is deleted after the import, as shown.
    pub karenz: String,
}

/// The E-Akte hand-over of the whole profile, for the „Abgabe offen“ view.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct EAkteStatus {
    /// Whether an E-Akte is configured (or the demo stand-in runs).
    pub eingerichtet: bool,
    /// The receiving E-Akte and where messages go, as shown.
    pub ziel: String,
    /// Messages waiting to be delivered.
    pub unterwegs: u32,
    /// Problems to act on: delivery errors, confirmations that could not be read or belong to
    /// no case (newest first).
    pub hinweise: Vec<String>,
}

/// Kind of a message with the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NachrichtArt {
    /// A free message.
    Nachricht,
    /// Request for missing documents.
    Nachforderung,
    /// Reminder of an open Nachforderung.
    Erinnerung,
    /// Confirmation of receipt.
    Eingangsbestaetigung,
    /// Documents sent by the applicant.
    Nachreichung,
    /// The sealed decision (sent on Freigabe, never composed by hand).
    Bescheid,
    /// The formal rejection (sent by the action „Antrag zurückweisen“).
    Zurueckweisung,
}

/// Delivery state of an outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Zustellung {
    /// Incoming: nothing to deliver.
    Eingegangen,
    /// Waiting in the Postausgang (queued or retried).
    Postausgang,
    /// The service took it.
    Zugestellt,
    /// Given up; `fehler` says why, „Erneut senden“ queues it again.
    Fehler,
    /// Made a letter (no reply channel): printed or saved by the caseworker.
    Brief,
}

/// One message of the thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachrichtInfo {
    /// Incoming (`true`) or outgoing.
    pub eingehend: bool,
    /// Kind.
    pub art: NachrichtArt,
    /// Kind as shown.
    pub art_text: String,
    /// When (RFC 3339).
    pub zeit: String,
    /// Who wrote it (outgoing), if known.
    pub von: Option<String>,
    /// Subject.
    pub betreff: String,
    /// Plain text (never HTML).
    pub text: String,
    /// Names of the documents it carries.
    pub anlagen: Vec<String>,
    /// Delivery state.
    pub zustellung: Zustellung,
    /// Delivery state as shown (e.g. „Im Postausgang (2 Versuche)“).
    pub zustellung_text: String,
    /// Why it failed, for [`Zustellung::Fehler`] (or the last error while retried).
    pub fehler: Option<String>,
    /// The outbox row's key, for „Erneut senden“.
    pub auftrag: Option<String>,
}

/// A requested Nachweis on the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachweisStand {
    /// Id in the Leistung's configuration.
    pub id: String,
    /// Name.
    pub bezeichnung: String,
    /// Received.
    pub eingegangen: bool,
    /// How: „mit Nachweis.pdf“, „abgehakt von m.muster“.
    pub wie: Option<String>,
}

/// The Nachforderung of a case as the case view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachforderungInfo {
    /// The requested Nachweise.
    pub nachweise: Vec<NachweisStand>,
    /// Reply Frist (`YYYY-MM-DD`).
    pub frist: String,
    /// When it was sent (RFC 3339).
    pub gesendet: String,
    /// Who sent it.
    pub von: String,
    /// The Frist has passed and the case still waits.
    pub abgelaufen: bool,
    /// Reminders sent (RFC 3339).
    pub erinnerungen: Vec<String>,
}

/// How the case can write to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RueckkanalInfo {
    /// The FIT-Connect reply channel is available.
    pub fit_connect: bool,
    /// Why not, when it is not (German).
    pub hinweis: Option<String>,
    /// Other channels the applicant named (information only, never used by the app).
    pub andere: Vec<String>,
}

/// A Nachweis a caseworker can request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachweisAuswahl {
    /// Id.
    pub id: String,
    /// Name.
    pub bezeichnung: String,
}

/// A message the caseworker composes (`nachricht_vorschau`, `nachricht_senden`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachrichtAnfrage {
    /// Id of the case.
    pub id: String,
    /// Kind: `nachricht`, `nachforderung`, `erinnerung` or `eingangsbestaetigung`.
    pub art: NachrichtArt,
    /// Subject (empty: the template's).
    #[serde(default)]
    pub betreff: String,
    /// The text as the caseworker wrote it.
    pub text: String,
    /// For a Nachforderung: ids of the requested Nachweise.
    #[serde(default)]
    pub nachweise: Vec<String>,
    /// For a Nachforderung: reply Frist (`YYYY-MM-DD`).
    #[serde(default)]
    pub frist: Option<String>,
    /// Files chosen in the system's dialog (paths from `datei_waehlen`).
    #[serde(default)]
    pub dateien: Vec<String>,
    /// Documents of the case itself (their SHA-512).
    #[serde(default)]
    pub dokumente: Vec<String>,
}

/// A template filled from the case (`nachricht_entwurf`), for the caseworker to edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachrichtEntwurf {
    /// Subject.
    pub betreff: String,
    /// Text.
    pub text: String,
}

/// The message exactly as it will be sent (`nachricht_vorschau`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NachrichtVorschau {
    /// Subject.
    pub betreff: String,
    /// Text.
    pub text: String,
    /// The requested Nachweise, as the applicant's service lists them.
    pub nachweise: Vec<String>,
    /// Reply Frist as shown („17.12.2026“), if any.
    pub frist: Option<String>,
    /// Documents with their size, as they will be attached („Lageplan.pdf (120 KB)“).
    pub anlagen: Vec<String>,
    /// How it will travel: „FIT-Connect-Rückkanal“ or „Brief (PDF zum Drucken)“.
    pub weg: String,
}

/// A file chosen in the system's dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GewaehlteDatei {
    /// Full path (sent back in [`NachrichtAnfrage::dateien`]).
    pub pfad: String,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub groesse: u64,
}

/// Request of `vorgang_aktion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AktionAnfrage {
    /// Id of the case.
    pub id: String,
    /// The action as offered in [`AktionInfo::aktion`].
    pub aktion: Aktion,
    /// Reason, for actions that ask for `begruendung`.
    #[serde(default)]
    pub begruendung: Option<String>,
    /// Recipient, for actions that ask for `empfaenger`.
    #[serde(default)]
    pub empfaenger: Option<String>,
    /// Date (`YYYY-MM-DD`), for actions that ask for `datum`.
    #[serde(default)]
    pub datum: Option<String>,
}

/// State of the background sync, for the status area (`sync_status`, event `sync-status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// A pass is running.
    pub laeuft: bool,
    /// Steps done in the running pass.
    pub fertig: u32,
    /// Steps of the running pass (0 when unknown).
    pub gesamt: u32,
    /// End of the last finished pass (RFC 3339), if any.
    pub letzter_abruf: Option<String>,
    /// The last pass could not reach the integration service.
    pub offline: bool,
    /// German status line, if there is something to say.
    pub meldung: Option<String>,
    /// Open rows in the outbox (accepts, rejects, replies not yet sent).
    pub outbox: u32,
    /// Cases stored in the last pass.
    pub neue_vorgaenge: u32,
    /// Set when the check of the audit chain at start found it broken (German, says what
    /// to do); the window shows it until the app is restarted on a sound chain.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruefprotokoll: Option<String>,
}

/// All TypeScript declarations of the contract, in one file's text.
pub fn typescript_bindings() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        ConnectionMode::decl(&cfg),
        AppInfo::decl(&cfg),
        RichtlinieInfo::decl(&cfg),
        Festlegung::decl(&cfg),
        Rolle::decl(&cfg),
        Sitzung::decl(&cfg),
        Ansicht::decl(&cfg),
        SortSpalte::decl(&cfg),
        QueueAnfrage::decl(&cfg),
        Faelligkeit::decl(&cfg),
        Status::decl(&cfg),
        Aktion::decl(&cfg),
        Angabe::decl(&cfg),
        QueueZeile::decl(&cfg),
        QueueAntwort::decl(&cfg),
        AnsichtZahlen::decl(&cfg),
        AnsichtInfo::decl(&cfg),
        GespeicherterFilter::decl(&cfg),
        Antragsteller::decl(&cfg),
        Formular::decl(&cfg),
        AnlageInfo::decl(&cfg),
        NotizInfo::decl(&cfg),
        VerlaufEintrag::decl(&cfg),
        AktionInfo::decl(&cfg),
        NachrichtArt::decl(&cfg),
        Zustellung::decl(&cfg),
        NachrichtInfo::decl(&cfg),
        NachweisStand::decl(&cfg),
        NachforderungInfo::decl(&cfg),
        RueckkanalInfo::decl(&cfg),
        NachweisAuswahl::decl(&cfg),
        VorgangDetail::decl(&cfg),
        NachrichtAnfrage::decl(&cfg),
        NachrichtEntwurf::decl(&cfg),
        NachrichtVorschau::decl(&cfg),
        GewaehlteDatei::decl(&cfg),
        AktionAnfrage::decl(&cfg),
        SyncStatus::decl(&cfg),
        Ergebnis::decl(&cfg),
        Angabefeld::decl(&cfg),
        GebuehrZeile::decl(&cfg),
        BescheidEntwurf::decl(&cfg),
        VorlageWahl::decl(&cfg),
        Moeglich::decl(&cfg),
        DiffZeile::decl(&cfg),
        BescheidInfo::decl(&cfg),
        EAkteInfo::decl(&cfg),
        EAkteDokument::decl(&cfg),
        EAkteVorschau::decl(&cfg),
        EAkteStatus::decl(&cfg),
        EntscheidungAnsicht::decl(&cfg),
        BescheidVorschau::decl(&cfg),
        SiegelPruefung::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Where the generated bindings live, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/ipc/bindings.ts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_typescript_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(BINDINGS_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == typescript_bindings(),
            "{} is stale: run `cargo xtask bindings` and commit the result",
            path.display()
        );
    }

    #[test]
    fn a_queue_request_from_the_ui_may_leave_out_search_and_offset() {
        let a: QueueAnfrage = serde_json::from_value(serde_json::json!({
            "ansicht": "wiedervorlage_heute", "sortierung": "zustaendig", "limit": 50
        }))
        .unwrap();
        assert_eq!(a.ansicht, Ansicht::WiedervorlageHeute);
        assert_eq!(a.sortierung, SortSpalte::Zustaendig);
        assert_eq!((a.suche, a.absteigend, a.offset), (None, false, 0));
    }

    #[test]
    fn enums_cross_as_snake_case_strings() {
        assert_eq!(
            serde_json::to_value(Ansicht::WiedervorlageHeute).unwrap(),
            serde_json::json!("wiedervorlage_heute")
        );
        assert_eq!(
            serde_json::to_value(Faelligkeit::Ueberfaellig).unwrap(),
            serde_json::json!("ueberfaellig")
        );
        assert_eq!(
            serde_json::to_value(Rolle::Teamleitung).unwrap(),
            serde_json::json!("teamleitung")
        );
        assert_eq!(
            serde_json::to_value(Status::AnEAkteUebergeben).unwrap(),
            serde_json::json!("an_e_akte_uebergeben")
        );
        assert_eq!(
            serde_json::to_value(Aktion::Uebernehmen).unwrap(),
            serde_json::json!("uebernehmen")
        );
        assert_eq!(
            serde_json::to_value(Aktion::PruefungBeginnen).unwrap(),
            serde_json::json!("pruefung_beginnen")
        );
    }

    #[test]
    fn an_action_request_names_one_of_the_contracts_actions() {
        let a: AktionAnfrage = serde_json::from_value(serde_json::json!({
            "id": "v1", "aktion": "zurueckweisen", "begruendung": "Nicht zuständig"
        }))
        .unwrap();
        assert_eq!(a.aktion, Aktion::Zurueckweisen);
        assert!(
            serde_json::from_value::<AktionAnfrage>(
                serde_json::json!({"id": "v1", "aktion": "loeschen"})
            )
            .is_err()
        );
    }

    #[test]
    fn errors_cross_as_code_and_message() {
        let e = IpcError::new(ErrorCode::NotFound, "Vorgang nicht gefunden.");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "Vorgang nicht gefunden."})
        );
    }
}
