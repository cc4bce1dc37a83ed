//! Tauri commands. Each one forwards to the shared [`app::AppContext`]; no logic lives here
//! except the native dialogs („Speichern unter …“, „Datei anhängen …“), which only a window
//! can show.
//!
//! The commands, their arguments and answers are declared once, in the command table
//! `ipc::mit_befehlen!`; the test build checks every forwarder here against its entry.

use std::sync::Arc;

use app::AppContext;
use ipc::{
    AktionAnfrage, AnsichtZahlen, AppInfo, BescheidEntwurf, BescheidVorschau, EAkteStatus,
    EAkteVorschau, EntscheidungAnsicht, Ergebnis, ErrorCode, GespeicherterFilter, GewaehlteDatei,
    IpcError, NachrichtAnfrage, NachrichtArt, NachrichtEntwurf, NachrichtVorschau, QueueAnfrage,
    QueueAntwort, SiegelPruefung, Sitzung, SyncStatus, VorgangDetail,
};
use tauri_plugin_dialog::DialogExt as _;

/// The app's state: the context, or why the profile could not be opened at start.
pub type Shared = Result<Arc<AppContext>, IpcError>;

fn ctx(state: &tauri::State<'_, Shared>) -> Result<Arc<AppContext>, IpcError> {
    state.inner().clone()
}

/// Runs a command body off the main thread (store queries must never block the window).
async fn blocking<T: Send + 'static>(
    state: tauri::State<'_, Shared>,
    f: impl FnOnce(&AppContext) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    off_thread(ctx(&state)?, f).await
}

/// The same for a context already taken from the state.
async fn off_thread<T: Send + 'static>(
    c: Arc<AppContext>,
    f: impl FnOnce(&AppContext) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || f(&c))
        .await
        .map_err(|_| {
            IpcError::new(
                ErrorCode::Internal,
                "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es erneut oder starten Sie Amtsstube neu.",
            )
        })?
}

/// Version, profile path and connection mode.
#[tauri::command]
pub async fn app_info(state: tauri::State<'_, Shared>) -> Result<AppInfo, IpcError> {
    blocking(state, AppContext::app_info).await
}

/// Who is working, in which role, and today's date.
#[tauri::command]
pub async fn sitzung(state: tauri::State<'_, Shared>) -> Result<Sitzung, IpcError> {
    blocking(state, AppContext::sitzung).await
}

/// One window of the Posteingang.
#[tauri::command]
pub async fn posteingang(
    state: tauri::State<'_, Shared>,
    anfrage: QueueAnfrage,
) -> Result<QueueAntwort, IpcError> {
    blocking(state, move |c| c.posteingang(anfrage)).await
}

/// Counts of the views.
#[tauri::command]
pub async fn ansicht_zahlen(state: tauri::State<'_, Shared>) -> Result<AnsichtZahlen, IpcError> {
    blocking(state, AppContext::ansicht_zahlen).await
}

/// Assigns cases to the current caseworker.
#[tauri::command]
pub async fn mir_zuweisen(
    state: tauri::State<'_, Shared>,
    ids: Vec<String>,
) -> Result<u32, IpcError> {
    blocking(state, move |c| c.mir_zuweisen(ids)).await
}

/// Opens a case (audited).
#[tauri::command]
pub async fn vorgang(
    state: tauri::State<'_, Shared>,
    id: String,
    erneut: Option<bool>,
) -> Result<VorgangDetail, IpcError> {
    // `erneut`: the view reloads a case it shows (not audited again as an opening).
    if erneut == Some(true) {
        blocking(state, move |c| c.vorgang_erneut(id)).await
    } else {
        blocking(state, move |c| c.vorgang(id)).await
    }
}

/// Takes an action on a case.
#[tauri::command]
pub async fn vorgang_aktion(
    state: tauri::State<'_, Shared>,
    anfrage: AktionAnfrage,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| c.vorgang_aktion(anfrage)).await
}

/// Adds an internal note.
#[tauri::command]
pub async fn notiz_hinzufuegen(
    state: tauri::State<'_, Shared>,
    id: String,
    text: String,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| c.notiz_hinzufuegen(id, text)).await
}

/// The template of a message, filled from the case.
#[tauri::command]
pub async fn nachricht_entwurf(
    state: tauri::State<'_, Shared>,
    id: String,
    art: NachrichtArt,
    nachweise: Vec<String>,
    frist: Option<String>,
) -> Result<NachrichtEntwurf, IpcError> {
    blocking(state, move |c| {
        c.nachricht_entwurf(id, art, nachweise, frist)
    })
    .await
}

/// The message exactly as it would be sent.
#[tauri::command]
pub async fn nachricht_vorschau(
    state: tauri::State<'_, Shared>,
    anfrage: NachrichtAnfrage,
) -> Result<NachrichtVorschau, IpcError> {
    blocking(state, move |c| c.nachricht_vorschau(anfrage)).await
}

/// Sends a message to the applicant through the Postausgang.
#[tauri::command]
pub async fn nachricht_senden(
    state: tauri::State<'_, Shared>,
    anfrage: NachrichtAnfrage,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| c.nachricht_senden(anfrage)).await
}

/// Queues a given-up message again.
#[tauri::command]
pub async fn nachricht_erneut_senden(
    state: tauri::State<'_, Shared>,
    id: String,
    auftrag: String,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| c.nachricht_erneut_senden(id, auftrag)).await
}

/// The Entscheidung tab of a case.
#[tauri::command]
pub async fn entscheidung(
    state: tauri::State<'_, Shared>,
    id: String,
) -> Result<EntscheidungAnsicht, IpcError> {
    blocking(state, move |c| c.entscheidung(id)).await
}

/// A new draft from a template and an outcome.
#[tauri::command]
pub async fn entscheidung_vorschlag(
    state: tauri::State<'_, Shared>,
    id: String,
    vorlage: String,
    ergebnis: Ergebnis,
) -> Result<BescheidEntwurf, IpcError> {
    blocking(state, move |c| {
        c.entscheidung_vorschlag(id, vorlage, ergebnis)
    })
    .await
}

/// The draft's pages as the engine sets them.
#[tauri::command]
pub async fn entscheidung_vorschau(
    state: tauri::State<'_, Shared>,
    id: String,
    entwurf: BescheidEntwurf,
) -> Result<BescheidVorschau, IpcError> {
    blocking(state, move |c| c.entscheidung_vorschau(id, entwurf)).await
}

/// Saves the draft as a new version.
#[tauri::command]
pub async fn entscheidung_speichern(
    state: tauri::State<'_, Shared>,
    id: String,
    entwurf: BescheidEntwurf,
) -> Result<EntscheidungAnsicht, IpcError> {
    blocking(state, move |c| c.entscheidung_speichern(id, entwurf)).await
}

/// Approves the submitted draft: seal, keep, send.
#[tauri::command]
pub async fn entscheidung_freigeben(
    state: tauri::State<'_, Shared>,
    id: String,
) -> Result<EntscheidungAnsicht, IpcError> {
    blocking(state, move |c| c.entscheidung_freigeben(id)).await
}

/// Returns the submitted draft with a comment.
#[tauri::command]
pub async fn entscheidung_zurueckgeben(
    state: tauri::State<'_, Shared>,
    id: String,
    kommentar: String,
) -> Result<EntscheidungAnsicht, IpcError> {
    blocking(state, move |c| c.entscheidung_zurueckgeben(id, kommentar)).await
}

/// Records the payment of a Bescheid's fees.
#[tauri::command]
pub async fn zahlung_vermerken(
    state: tauri::State<'_, Shared>,
    id: String,
    datum: String,
) -> Result<EntscheidungAnsicht, IpcError> {
    blocking(state, move |c| c.zahlung_vermerken(id, datum)).await
}

/// What a hand-over to the E-Akte will contain.
#[tauri::command]
pub async fn eakte_vorschau(
    state: tauri::State<'_, Shared>,
    id: String,
) -> Result<EAkteVorschau, IpcError> {
    blocking(state, move |c| c.eakte_vorschau(id)).await
}

/// Hands a finished case over to the E-Akte.
#[tauri::command]
pub async fn eakte_abgeben(
    state: tauri::State<'_, Shared>,
    id: String,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| c.eakte_abgeben(id)).await
}

/// The E-Akte hand-over of the profile.
#[tauri::command]
pub async fn eakte_status(state: tauri::State<'_, Shared>) -> Result<EAkteStatus, IpcError> {
    blocking(state, move |c| c.eakte_status()).await
}

/// The seal or signature check of a PDF attachment.
#[tauri::command]
pub async fn anlage_siegel(
    state: tauri::State<'_, Shared>,
    vorgang_id: String,
    sha512: String,
) -> Result<SiegelPruefung, IpcError> {
    blocking(state, move |c| c.anlage_siegel(vorgang_id, sha512)).await
}

/// Ticks a requested Nachweis.
#[tauri::command]
pub async fn nachweis_abhaken(
    state: tauri::State<'_, Shared>,
    id: String,
    nachweis: String,
    eingegangen: bool,
) -> Result<VorgangDetail, IpcError> {
    blocking(state, move |c| {
        c.nachweis_abhaken(id, nachweis, eingegangen)
    })
    .await
}

/// „Datei anhängen …“: the system's open dialog; answers the path, name and size of the
/// chosen file after checking it (size, content matching its name).
#[tauri::command]
pub async fn datei_waehlen(
    window: tauri::Window,
    state: tauri::State<'_, Shared>,
) -> Result<Option<GewaehlteDatei>, IpcError> {
    // Only with an open profile (the file goes into its store when sent).
    let c = ctx(&state)?;
    let wahl = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Datei anhängen …")
        .add_filter("Dokumente (PDF, PNG, JPEG)", &["pdf", "png", "jpg", "jpeg"])
        .blocking_pick_file();
    let Some(wahl) = wahl else {
        return Ok(None);
    };
    let pfad = wahl.into_path().map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidInput,
            "Diese Datei kann nicht verwendet werden. Bitte wählen Sie eine Datei auf diesem Computer.",
        )
    })?;
    // Checked at once (size, content matching the name), so a wrong file is refused when
    // it is chosen; sending checks it again.
    off_thread(c, move |c| c.datei_pruefen(&pfad).map(Some)).await
}

/// „Als Brief speichern …“: the letter is set first (so a refusal comes before the dialog),
/// then saved where the caseworker chooses and recorded on the case.
#[tauri::command]
pub async fn brief_speichern(
    window: tauri::Window,
    state: tauri::State<'_, Shared>,
    anfrage: NachrichtAnfrage,
) -> Result<Option<VorgangDetail>, IpcError> {
    let c = ctx(&state)?;
    let entwurf = off_thread(c.clone(), move |c| c.brief_erstellen(&anfrage)).await?;
    let ziel = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Brief speichern unter …")
        .set_file_name(&entwurf.dateiname)
        .add_filter("PDF-Dokument", &["pdf"])
        .blocking_save_file();
    let Some(ziel) = ziel else {
        return Ok(None);
    };
    let pfad = speicherort(ziel)?;
    off_thread(c, move |c| c.brief_ablegen(entwurf, &pfad).map(Some)).await
}

/// The path the system's save dialog returned, or a German error for a target that is not a
/// local file (a portal or URI the app cannot write to).
fn speicherort(ziel: tauri_plugin_dialog::FilePath) -> Result<std::path::PathBuf, IpcError> {
    ziel.into_path().map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidInput,
            "Dieser Speicherort kann nicht verwendet werden. Bitte wählen Sie einen Ordner auf diesem Computer.",
        )
    })
}

/// "Speichern unter…": the only way a case's document reaches the disk (besides a letter the
/// caseworker saves to print, [`brief_speichern`]). Shows the native dialog,
/// then lets the context decrypt the attachment to the chosen path (audited).
#[tauri::command]
pub async fn anlage_speichern(
    window: tauri::Window,
    state: tauri::State<'_, Shared>,
    vorgang_id: String,
    sha512: String,
) -> Result<Option<String>, IpcError> {
    let c = ctx(&state)?;
    let name = {
        let (v, s) = (vorgang_id.clone(), sha512.clone());
        off_thread(c.clone(), move |c| c.anlage_dateiname(&v, &s)).await?
    };
    let ziel = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Anlage speichern unter …")
        .set_file_name(&name)
        .blocking_save_file();
    let Some(ziel) = ziel else {
        return Ok(None);
    };
    let pfad = speicherort(ziel)?;
    off_thread(c, move |c| {
        c.anlage_exportieren(&vorgang_id, &sha512, &pfad).map(Some)
    })
    .await
}

/// „Antrag exportieren …“: the system's folder dialog, then the export into a new folder.
#[tauri::command]
pub async fn vorgang_exportieren(
    window: tauri::Window,
    state: tauri::State<'_, Shared>,
    id: String,
) -> Result<Option<String>, IpcError> {
    let c = ctx(&state)?;
    let ziel = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Antrag exportieren in …")
        .blocking_pick_folder();
    let Some(ziel) = ziel else {
        return Ok(None);
    };
    let pfad = ziel.into_path().map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidInput,
            "Dieser Ordner kann nicht verwendet werden. Bitte wählen Sie einen Ordner auf diesem Computer.",
        )
    })?;
    off_thread(c, move |c| c.vorgang_exportieren(&id, &pfad).map(Some)).await
}

/// „Diagnosebericht speichern …“: the system's save dialog, then the report for the IT
/// ([`app::diagnose`]).
#[tauri::command]
pub async fn diagnosebericht_speichern(
    window: tauri::Window,
    state: tauri::State<'_, Shared>,
) -> Result<Option<String>, IpcError> {
    let c = ctx(&state)?;
    let heute = time::OffsetDateTime::now_utc().date();
    let ziel = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Diagnosebericht speichern unter …")
        .set_file_name(format!("amtsstube-diagnose-{heute}.zip"))
        .add_filter("ZIP-Archiv", &["zip"])
        .blocking_save_file();
    let Some(ziel) = ziel else {
        return Ok(None);
    };
    let pfad = speicherort(ziel)?;
    off_thread(c, move |c| {
        c.diagnosebericht(&pfad)
            .map(|b| Some(b.pfad.display().to_string()))
    })
    .await
}

/// Saved filters of the Posteingang.
#[tauri::command]
pub async fn gespeicherte_filter(
    state: tauri::State<'_, Shared>,
) -> Result<Vec<GespeicherterFilter>, IpcError> {
    blocking(state, AppContext::gespeicherte_filter).await
}

/// Saves (or replaces) a filter by name.
#[tauri::command]
pub async fn filter_speichern(
    state: tauri::State<'_, Shared>,
    filter: GespeicherterFilter,
) -> Result<Vec<GespeicherterFilter>, IpcError> {
    blocking(state, move |c| c.filter_speichern(filter)).await
}

/// Deletes a saved filter.
#[tauri::command]
pub async fn filter_loeschen(
    state: tauri::State<'_, Shared>,
    name: String,
) -> Result<Vec<GespeicherterFilter>, IpcError> {
    blocking(state, move |c| c.filter_loeschen(name)).await
}

/// Where the background sync stands.
#[tauri::command]
pub async fn sync_status(state: tauri::State<'_, Shared>) -> Result<SyncStatus, IpcError> {
    blocking(state, AppContext::sync_status).await
}

/// "Jetzt abrufen": starts a sync pass now unless one runs.
#[tauri::command]
pub async fn jetzt_abrufen(state: tauri::State<'_, Shared>) -> Result<SyncStatus, IpcError> {
    blocking(state, AppContext::jetzt_abrufen).await
}

#[cfg(test)]
mod tests {
    /// Every entry of the command table, type-checked against its forwarder: same name, same
    /// arguments in the same order and of the same types, same answer. A forwarder that does
    /// not match its entry (or is missing) makes this module fail to compile.
    #[allow(dead_code)]
    mod tabelle {
        use super::super::*;

        macro_rules! gegen_tabelle_pruefen {
            ($(
                $(#[$doku:meta])*
                $name:ident ( $($arg:ident : $argty:ty),* ) -> $ant:ty => $ausf:ident $(, $vorab:ident)? ;
            )*) => {
                $( gegen_tabelle_pruefen!(@ $ausf $name ( $($arg : $argty),* ) -> $ant); )*
            };
            (@ Kontext $name:ident ( $($arg:ident : $argty:ty),* ) -> $ant:ty) => {
                async fn $name(
                    state: tauri::State<'_, Shared>,
                    $($arg: $argty),*
                ) -> Result<$ant, IpcError> {
                    super::super::$name(state, $($arg),*).await
                }
            };
            (@ Fenster $name:ident ( $($arg:ident : $argty:ty),* ) -> $ant:ty) => {
                async fn $name(
                    window: tauri::Window,
                    state: tauri::State<'_, Shared>,
                    $($arg: $argty),*
                ) -> Result<$ant, IpcError> {
                    super::super::$name(window, state, $($arg),*).await
                }
            };
        }

        ipc::mit_befehlen!(gegen_tabelle_pruefen);
    }

    #[test]
    fn every_forwarder_here_is_a_command_of_the_table_in_its_order() {
        let quelle = include_str!("commands.rs");
        let mut namen = Vec::new();
        let mut zeilen = quelle.lines();
        while let Some(z) = zeilen.next() {
            if z.trim() == "#[tauri::command]" {
                let kopf = zeilen.next().unwrap_or_default();
                let name = kopf
                    .trim()
                    .strip_prefix("pub async fn ")
                    .and_then(|r| r.split('(').next())
                    .unwrap_or_else(|| panic!("forwarder without `pub async fn`: {kopf}"));
                namen.push(name);
            }
        }
        assert_eq!(namen, ipc::befehle::BEFEHLSNAMEN);
    }

    #[test]
    fn a_window_command_takes_the_window_and_every_other_runs_off_the_main_thread() {
        let quelle = include_str!("commands.rs");
        for b in ipc::befehle::BEFEHLE {
            let kopf = format!("pub async fn {}(", b.name);
            let start = quelle
                .find(&kopf)
                .unwrap_or_else(|| panic!("{} fehlt", b.name));
            let rest = &quelle[start..];
            let ende = rest.find("\n}\n").unwrap_or(rest.len());
            let rumpf = &rest[..ende];
            match b.ausfuehrung {
                ipc::befehle::Ausfuehrung::Kontext => assert!(
                    rumpf.contains("blocking(state, "),
                    "{} must run its body with `blocking`",
                    b.name
                ),
                ipc::befehle::Ausfuehrung::Fenster => assert!(
                    rumpf.contains("window: tauri::Window") && rumpf.contains("off_thread("),
                    "{} must take the window and run its store work with `off_thread`",
                    b.name
                ),
            }
        }
    }
}
