//! The command list of the desktop shell, declared once.
//!
//! The table lives in the macro [`mit_befehlen!`](crate::mit_befehlen): one entry per Tauri
//! command with its arguments, its answer, how the shell runs it and a German description.
//! Everything else follows from it:
//!
//! * [`BEFEHLE`] (built here from the table) generates the TypeScript wrappers
//!   `ui/src/ipc/befehle.ts` and the command permissions of the capability file
//!   `src-tauri/capabilities/default.json` ([`generierte_dateien`], `cargo xtask bindings`); the
//!   test `committed_generated_files_are_current` fails when a committed file is stale.
//! * `src-tauri` expands its handler list (`generate_handler!`) from the table, and its test
//!   build type-checks every forwarder in `commands.rs` against its entry (arguments, answer).
//! * `src-tauri/build.rs` declares the same names in the app manifest ([`BEFEHLSNAMEN`]).
//!
//! The error codes the UI accepts (`ui/src/ipc/fehlercodes.ts`) are generated from
//! [`ErrorCode`](crate::ErrorCode) the same way.
//!
//! To add a command: add an entry to the table in [`mit_befehlen!`](crate::mit_befehlen),
//! implement the body on `AppContext` (crate `app`), write the forwarder in
//! `src-tauri/src/commands.rs`, run `cargo xtask bindings` and commit what it wrote.

use serde::Serialize;
use ts_rs::{Config, TS};

#[allow(unused_imports)] // each type is used by some entry of the table
use crate::{
    AktionAnfrage, AnsichtZahlen, AppInfo, BescheidEntwurf, BescheidVorschau, EAkteStatus,
    EAkteVorschau, EntscheidungAnsicht, Ergebnis, ErrorCode, GespeicherterFilter, GewaehlteDatei,
    NachrichtAnfrage, NachrichtArt, NachrichtEntwurf, NachrichtVorschau, QueueAnfrage,
    QueueAntwort, SiegelPruefung, Sitzung, SyncStatus, VorgangDetail,
};

/// The table of commands. Calls the macro `$callback!` with every entry, in the order the UI
/// lists them:
///
/// ```text
/// /// German description (becomes the TypeScript doc comment)
/// name(argument: RustType, …) -> AnswerType => Kontext | Fenster [, vorab];
/// ```
///
/// * `Kontext`: the forwarder runs the `AppContext` method off the main thread.
/// * `Fenster`: the forwarder needs the window (a native dialog) and takes `window` first.
/// * `vorab`: a read-only command of the first screen that `vorabLaden` may start before the
///   UI exists; it takes no argument or only `anfrage`.
///
/// An `Option` argument is optional in TypeScript. Argument names are snake_case in Rust; the
/// UI sends them in camelCase (Tauri converts).
#[macro_export]
macro_rules! mit_befehlen {
    ($callback:ident) => {
        $callback! {
            /// Version, Profilordner und Verbindungsart der laufenden App.
            app_info() -> AppInfo => Kontext, vorab;
            /// Wer in dieser Sitzung arbeitet, in welcher Rolle, und das heutige Datum.
            sitzung() -> Sitzung => Kontext, vorab;
            /// Eine Seite einer Ansicht des Posteingangs.
            posteingang(anfrage: QueueAnfrage) -> QueueAntwort => Kontext, vorab;
            /// Wie viele Vorgänge jede Ansicht enthält.
            ansicht_zahlen() -> AnsichtZahlen => Kontext, vorab;
            /// Weist die Vorgänge dem Benutzer der Sitzung zu; antwortet, wie viele es waren.
            mir_zuweisen(ids: Vec<String>) -> u32 => Kontext;
            /// Alles, was die Vorgangsansicht zeigt; das Öffnen wird protokolliert. Mit
            /// `erneut` liest die Ansicht einen Vorgang, den sie schon zeigt, nach einer
            /// Änderung neu (kein neues Öffnen im Protokoll).
            vorgang(id: String, erneut: Option<bool>) -> VorgangDetail => Kontext;
            /// Führt eine Aktion an einem Vorgang aus; antwortet mit dem Vorgang danach.
            vorgang_aktion(anfrage: AktionAnfrage) -> VorgangDetail => Kontext;
            /// Fügt einem Vorgang eine interne Notiz hinzu.
            notiz_hinzufuegen(id: String, text: String) -> VorgangDetail => Kontext;
            /// Die Vorlage einer Nachricht, aus dem Vorgang ausgefüllt (bei einer Nachforderung
            /// mit den gewählten Nachweisen und der Frist).
            nachricht_entwurf(id: String, art: NachrichtArt, nachweise: Vec<String>, frist: Option<String>) -> NachrichtEntwurf => Kontext;
            /// Die Nachricht genau so, wie sie gesendet würde – oder warum sie nicht gehen kann.
            nachricht_vorschau(anfrage: NachrichtAnfrage) -> NachrichtVorschau => Kontext;
            /// Sendet eine Nachricht an die antragstellende Person (über den Postausgang); bei
            /// einer Nachforderung mit Statuswechsel und Wiedervorlage am Arbeitstag nach der Frist.
            nachricht_senden(anfrage: NachrichtAnfrage) -> VorgangDetail => Kontext;
            /// Stellt eine fehlgeschlagene Nachricht erneut in den Postausgang.
            nachricht_erneut_senden(id: String, auftrag: String) -> VorgangDetail => Kontext;
            /// Die Entscheidung eines Vorgangs: Entwurf (oder Vorschlag), Vorlagen, was die
            /// Sitzung tun darf, Änderungen seit der zuletzt gesehenen Fassung, der Bescheid.
            entscheidung(id: String) -> EntscheidungAnsicht => Kontext;
            /// Ein neuer Entwurf aus einer Vorlage und einem Ergebnis, aus dem Antrag vorbelegt.
            entscheidung_vorschlag(id: String, vorlage: String, ergebnis: Ergebnis) -> BescheidEntwurf => Kontext;
            /// Die Seiten des Entwurfs, gesetzt wie der Bescheid (ohne Siegel).
            entscheidung_vorschau(id: String, entwurf: BescheidEntwurf) -> BescheidVorschau => Kontext;
            /// Speichert den Entwurf als neue Fassung.
            entscheidung_speichern(id: String, entwurf: BescheidEntwurf) -> EntscheidungAnsicht => Kontext;
            /// Gibt den vorgelegten Entwurf frei: siegeln, im Vorgang ablegen, versenden.
            entscheidung_freigeben(id: String) -> EntscheidungAnsicht => Kontext;
            /// Gibt den vorgelegten Entwurf mit einem Kommentar zur Überarbeitung zurück.
            entscheidung_zurueckgeben(id: String, kommentar: String) -> EntscheidungAnsicht => Kontext;
            /// Vermerkt den Zahlungseingang der Gebühren eines Bescheids.
            zahlung_vermerken(id: String, datum: String) -> EntscheidungAnsicht => Kontext;
            /// Was „An E-Akte abgeben“ übergeben wird (Dokumente, Ziel), zum Bestätigen.
            eakte_vorschau(id: String) -> EAkteVorschau => Kontext;
            /// Gibt den abgeschlossenen Vorgang an die E-Akte ab (xdomea 0605 über den Postausgang).
            eakte_abgeben(id: String) -> VorgangDetail => Kontext;
            /// Wo die Abgaben an die E-Akte stehen, mit Hinweisen auf Fehler.
            eakte_status() -> EAkteStatus => Kontext;
            /// Prüft Siegel bzw. Signatur einer PDF-Anlage (gegen die Vertrauensanker der Behörde).
            anlage_siegel(vorgang_id: String, sha512: String) -> SiegelPruefung => Kontext;
            /// Hakt einen nachgeforderten Nachweis als eingegangen ab (oder wieder als offen).
            nachweis_abhaken(id: String, nachweis: String, eingegangen: bool) -> VorgangDetail => Kontext;
            /// „Datei anhängen …“: fragt im Dialog des Systems nach einer Datei; `null`, wenn
            /// abgebrochen.
            datei_waehlen() -> Option<GewaehlteDatei> => Fenster;
            /// „Als Brief speichern …“ (kein elektronischer Rückkanal): setzt die Nachricht als
            /// PDF-Brief, fragt im Dialog des Systems nach dem Ziel, legt ihn im Vorgang ab und
            /// vermerkt die Nachricht „per Brief“; `null`, wenn abgebrochen.
            brief_speichern(anfrage: NachrichtAnfrage) -> Option<VorgangDetail> => Fenster;
            /// „Speichern unter …“: fragt im Dialog des Systems nach dem Ziel und schreibt die
            /// Anlage dorthin (protokolliert); `null`, wenn abgebrochen.
            anlage_speichern(vorgang_id: String, sha512: String) -> Option<String> => Fenster;
            /// Exportiert den Antrag (Formulardaten und alle Dokumente) in einen gewählten Ordner,
            /// z. B. für die Behörde, an die er weitergeleitet wurde; antwortet mit dem Ordner.
            vorgang_exportieren(id: String) -> Option<String> => Fenster;
            /// „Diagnosebericht speichern …“: fragt im Dialog des Systems nach dem Ziel und
            /// schreibt den Bericht für die IT (ZIP, nichts Persönliches); antwortet mit dem
            /// Pfad, `null`, wenn abgebrochen.
            diagnosebericht_speichern() -> Option<String> => Fenster;
            /// Die gespeicherten Filter des Posteingangs.
            gespeicherte_filter() -> Vec<GespeicherterFilter> => Kontext;
            /// Speichert einen Filter (ersetzt einen gleichnamigen); antwortet mit allen Filtern.
            filter_speichern(filter: GespeicherterFilter) -> Vec<GespeicherterFilter> => Kontext;
            /// Löscht einen gespeicherten Filter; antwortet mit den übrigen.
            filter_loeschen(name: String) -> Vec<GespeicherterFilter> => Kontext;
            /// Wo der Abruf im Hintergrund steht.
            sync_status() -> SyncStatus => Kontext, vorab;
            /// „Jetzt abrufen“: startet einen Abruf, wenn keiner läuft.
            jetzt_abrufen() -> SyncStatus => Kontext;
        }
    };
}

/// How the shell runs a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ausfuehrung {
    /// Forwards to the `AppContext` method of the same name, off the main thread (store
    /// queries must never block the window).
    Kontext,
    /// Needs the window (a native dialog); its store work still runs off the main thread.
    Fenster,
}

/// One argument of a command.
#[derive(Debug, Clone, Copy)]
pub struct Argument {
    /// Name in Rust (snake_case).
    pub name: &'static str,
    /// Rust type as written in the table.
    pub rust_typ: &'static str,
    /// TypeScript type (from ts-rs).
    pub ts_typ: fn(&Config) -> String,
}

/// One command of the desktop shell.
#[derive(Debug, Clone, Copy)]
pub struct Befehl {
    /// Tauri name (snake_case); the TypeScript wrapper is its camelCase.
    pub name: &'static str,
    /// German description.
    pub doku: &'static str,
    /// Arguments, in order.
    pub argumente: &'static [Argument],
    /// Rust type of the answer as written in the table.
    pub antwort_rust: &'static str,
    /// TypeScript type of the answer (from ts-rs).
    pub antwort_ts: fn(&Config) -> String,
    /// How the shell runs it.
    pub ausfuehrung: Ausfuehrung,
    /// May be started before the UI exists (`vorabLaden`).
    pub vorab: bool,
}

macro_rules! tabelle_bauen {
    ($(
        $(#[doc = $doku:literal])*
        $name:ident ( $($arg:ident : $argty:ty),* ) -> $ant:ty => $ausf:ident $(, $vorab:ident)? ;
    )*) => {
        /// Every command of the desktop shell, from the table in [`mit_befehlen!`](crate::mit_befehlen).
        pub const BEFEHLE: &[Befehl] = &[$(
            Befehl {
                name: stringify!($name),
                doku: concat!($($doku, "\n"),*),
                argumente: &[$(Argument {
                    name: stringify!($arg),
                    rust_typ: stringify!($argty),
                    ts_typ: <$argty as TS>::name,
                }),*],
                antwort_rust: stringify!($ant),
                antwort_ts: <$ant as TS>::name,
                ausfuehrung: Ausfuehrung::$ausf,
                vorab: tabelle_bauen!(@vorab $($vorab)?),
            },
        )*];

        /// The Tauri names of all commands (for the app manifest in `src-tauri/build.rs`).
        pub const BEFEHLSNAMEN: &[&str] = &[$(stringify!($name)),*];
    };
    (@vorab) => { false };
    (@vorab vorab) => { true };
}

mit_befehlen!(tabelle_bauen);

/// Where the generated TypeScript wrappers live, relative to the workspace root.
pub const BEFEHLE_TS_PATH: &str = "ui/src/ipc/befehle.ts";
/// Where the generated list of error codes lives, relative to the workspace root.
pub const FEHLERCODES_TS_PATH: &str = "ui/src/ipc/fehlercodes.ts";
/// Where the generated capability of the main window lives, relative to the workspace root.
pub const CAPABILITY_PATH: &str = "src-tauri/capabilities/default.json";

/// Permissions of the main window besides its commands: it listens to the shell's events
/// (`sync-status`, `vorgaenge-geaendert`).
pub const WEITERE_BERECHTIGUNGEN: &[&str] =
    &["core:event:allow-listen", "core:event:allow-unlisten"];

const KOPF: &str = "// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.\n";

fn config() -> Config {
    Config::new().with_large_int("number")
}

/// `mir_zuweisen` → `mirZuweisen` (the names of TypeScript functions and argument keys).
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut gross = false;
    for c in snake.chars() {
        if c == '_' {
            gross = true;
        } else if gross {
            out.extend(c.to_uppercase());
            gross = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn ist_option(rust_typ: &str) -> bool {
    rust_typ.trim_start().starts_with("Option")
}

/// The declared types a TypeScript type text names (`Array<GespeicherterFilter>` → the filter).
fn typnamen(ts: &str) -> Vec<String> {
    let eingebaut = ["Array", "Record", "Partial"];
    ts.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|w| !eingebaut.contains(w))
        .map(str::to_owned)
        .collect()
}

fn doku_kommentar(doku: &str, einzug: &str) -> String {
    let mut out = format!("{einzug}/**\n");
    for zeile in doku.lines() {
        let zeile = zeile.trim();
        if zeile.is_empty() {
            out.push_str(&format!("{einzug} *\n"));
        } else {
            out.push_str(&format!("{einzug} * {zeile}\n"));
        }
    }
    out.push_str(&format!("{einzug} */\n"));
    out
}

/// The TypeScript wrappers of all commands (`ui/src/ipc/befehle.ts`).
pub fn typescript_befehle() -> String {
    let cfg = config();
    let mut typen: Vec<String> = BEFEHLE
        .iter()
        .flat_map(|b| {
            let mut t = typnamen(&(b.antwort_ts)(&cfg));
            for a in b.argumente {
                t.extend(typnamen(&(a.ts_typ)(&cfg)));
            }
            t
        })
        .collect();
    typen.sort();
    typen.dedup();

    let mut out = String::from(KOPF);
    out.push_str("// The command table is `mit_befehlen!` in crates/ipc/src/befehle.rs.\n\n");
    out.push_str("import { call, callVorab } from './aufruf';\n");
    out.push_str(&format!(
        "import type {{ {} }} from './bindings';\n\n",
        typen.join(", ")
    ));

    out.push_str("/** The Tauri name of every command. */\nexport type Befehlsname =\n");
    for b in BEFEHLE {
        out.push_str(&format!("  | '{}'\n", b.name));
    }
    out.truncate(out.trim_end().len());
    out.push_str(";\n\n");

    out.push_str(
        "/** The read-only commands of the first screen that `vorabLaden` may start early, with their argument. */\nexport type VorabAnfrage =\n",
    );
    for b in BEFEHLE.iter().filter(|b| b.vorab) {
        let args: String = b
            .argumente
            .iter()
            .map(|a| format!(", {}: {}", camel_case(a.name), (a.ts_typ)(&cfg)))
            .collect();
        out.push_str(&format!("  | [befehl: '{}'{args}]\n", b.name));
    }
    out.truncate(out.trim_end().len());
    out.push_str(";\n");

    for b in BEFEHLE {
        let antwort = (b.antwort_ts)(&cfg);
        let params: Vec<String> = b
            .argumente
            .iter()
            .map(|a| {
                let optional = if ist_option(a.rust_typ) { "?" } else { "" };
                format!("{}{optional}: {}", camel_case(a.name), (a.ts_typ)(&cfg))
            })
            .collect();
        let schluessel: Vec<String> = b.argumente.iter().map(|a| camel_case(a.name)).collect();
        let aufruf = if b.vorab { "callVorab" } else { "call" };
        let args = if schluessel.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", schluessel.join(", "))
        };
        out.push('\n');
        out.push_str(&doku_kommentar(b.doku, ""));
        out.push_str(&format!(
            "export function {}({}): Promise<{antwort}> {{\n  return {aufruf}<{antwort}>('{}'{args});\n}}\n",
            camel_case(b.name),
            params.join(", "),
            b.name,
        ));
    }
    out
}

/// The wire names of all error codes, read from the TypeScript declaration of [`ErrorCode`]
/// (a union of string literals), so the list is exactly what `bindings.ts` says.
pub fn fehlercodes() -> Vec<String> {
    let union = ErrorCode::inline(&config());
    union
        .split('|')
        .filter_map(|teil| {
            let t = teil.trim();
            t.strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .map(str::to_owned)
        })
        .collect()
}

/// The list of error codes the UI accepts (`ui/src/ipc/fehlercodes.ts`).
pub fn typescript_fehlercodes() -> String {
    let codes: Vec<String> = fehlercodes().iter().map(|c| format!("'{c}'")).collect();
    format!(
        "{KOPF}\nimport type {{ ErrorCode }} from './bindings';\n\n\
         /** Every code of `ipc::ErrorCode`: a rejection with another code is not from Rust. */\n\
         export const ERROR_CODES = [{}] as const satisfies readonly ErrorCode[];\n",
        codes.join(", ")
    )
}

#[derive(Serialize)]
struct Capability {
    #[serde(rename = "$schema")]
    schema: &'static str,
    identifier: &'static str,
    description: &'static str,
    windows: [&'static str; 1],
    permissions: Vec<String>,
}

/// The Tauri permission that allows a command of the app itself (`allow-mir-zuweisen`).
pub fn berechtigung(befehl: &str) -> String {
    format!("allow-{}", befehl.replace('_', "-"))
}

/// The capability of the main window (`src-tauri/capabilities/default.json`): its events and
/// exactly the commands of the table.
pub fn capability_json() -> String {
    let cap = Capability {
        schema: "../gen/schemas/desktop-schema.json",
        identifier: "default",
        description: "The main window may call exactly the commands the UI uses, nothing else. \
                      Generated from crates/ipc (befehle.rs) by `cargo xtask bindings`.",
        windows: ["main"],
        permissions: WEITERE_BERECHTIGUNGEN
            .iter()
            .map(|p| (*p).to_owned())
            .chain(BEFEHLE.iter().map(|b| berechtigung(b.name)))
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&cap).unwrap_or_default();
    s.push('\n');
    s
}

/// Every file generated from this crate, with its path relative to the workspace root:
/// written by `cargo xtask bindings`, checked by `cargo xtask test` and by the test
/// `committed_generated_files_are_current`.
pub fn generierte_dateien() -> Vec<(&'static str, String)> {
    vec![
        (crate::BINDINGS_PATH, crate::typescript_bindings()),
        (BEFEHLE_TS_PATH, typescript_befehle()),
        (FEHLERCODES_TS_PATH, typescript_fehlercodes()),
        (CAPABILITY_PATH, capability_json()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_generated_files_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let stale: Vec<&str> = generierte_dateien()
            .into_iter()
            .filter(|(pfad, inhalt)| {
                std::fs::read_to_string(root.join(pfad)).unwrap_or_default() != *inhalt
            })
            .map(|(pfad, _)| pfad)
            .collect();
        assert!(
            stale.is_empty(),
            "stale: {stale:?}: run `cargo xtask bindings` and commit the result"
        );
    }

    #[test]
    fn every_command_has_a_unique_snake_case_name_and_a_description() {
        let mut namen: Vec<&str> = BEFEHLE.iter().map(|b| b.name).collect();
        assert_eq!(namen, BEFEHLSNAMEN);
        for b in BEFEHLE {
            assert!(
                b.name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'),
                "{}",
                b.name
            );
            assert!(
                !b.doku.trim().is_empty(),
                "{} hat keine Beschreibung",
                b.name
            );
        }
        namen.sort_unstable();
        namen.dedup();
        assert_eq!(namen.len(), BEFEHLE.len(), "a command name appears twice");
    }

    #[test]
    fn a_command_started_early_takes_no_argument_or_only_its_anfrage() {
        for b in BEFEHLE.iter().filter(|b| b.vorab) {
            let namen: Vec<&str> = b.argumente.iter().map(|a| a.name).collect();
            assert!(
                namen.is_empty() || namen == ["anfrage"],
                "{}: vorabLaden sends only `anfrage`, not {namen:?}",
                b.name
            );
            assert_eq!(b.ausfuehrung, Ausfuehrung::Kontext, "{}", b.name);
        }
    }

    #[test]
    fn the_wrappers_call_each_command_by_its_tauri_name_with_camel_case_keys() {
        let ts = typescript_befehle();
        assert!(ts.contains(
            "export function anlageSpeichern(vorgangId: string, sha512: string): Promise<string | null> {\n  return call<string | null>('anlage_speichern', { vorgangId, sha512 });\n}"
        ), "{ts}");
        assert!(ts.contains(
            "export function posteingang(anfrage: QueueAnfrage): Promise<QueueAntwort> {\n  return callVorab<QueueAntwort>('posteingang', { anfrage });\n}"
        ));
        assert!(ts.contains("export function vorgang(id: string, erneut?: boolean | null)"));
        assert!(ts.contains("| [befehl: 'posteingang', anfrage: QueueAnfrage]"));
        assert_eq!(ts.matches("export function ").count(), BEFEHLE.len());
    }

    #[test]
    fn the_error_codes_are_every_code_of_the_enum_on_the_wire() {
        let codes = fehlercodes();
        assert_eq!(
            codes.len(),
            ErrorCode::inline(&config()).matches('|').count() + 1
        );
        for c in &codes {
            let code: ErrorCode = serde_json::from_value(serde_json::json!(c)).unwrap();
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(c));
        }
        assert!(codes.iter().any(|c| c == "internal"));
    }

    #[test]
    fn the_main_window_may_listen_to_events_and_call_exactly_the_commands_of_the_table() {
        let cap: serde_json::Value = serde_json::from_str(&capability_json()).unwrap();
        let erlaubt: Vec<&str> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(erlaubt.len(), WEITERE_BERECHTIGUNGEN.len() + BEFEHLE.len());
        assert!(erlaubt.contains(&"allow-vorgang-aktion"));
        assert!(erlaubt.contains(&"core:event:allow-listen"));
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
    }
}
