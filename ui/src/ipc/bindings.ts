// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.

export type ErrorCode = "profile_unavailable" | "key_unavailable" | "not_found" | "invalid_input" | "offline" | "internal";

export type IpcError = { 
/**
 * What kind of error, for the UI to switch on.
 */
code: ErrorCode, 
/**
 * German text for the caseworker: what happened and what to do next.
 */
message: string, };

export type ConnectionMode = { "kind": "demo", 
/**
 * Base URL of the in-process simulator, once it runs.
 */
simulator_url: string | null, } | { "kind": "live", 
/**
 * Base URL of the submission API.
 */
base_url: string, };

export type AppInfo = { 
/**
 * Product name as shown in the header.
 */
product: string, 
/**
 * Version of the application (semver).
 */
version: string, 
/**
 * Absolute path of the profile directory (database, configuration).
 */
profile_dir: string, 
/**
 * Demo or live connection.
 */
connection: ConnectionMode, 
/**
 * What the administrator's policy pins (shown read-only in the settings).
 */
richtlinie: RichtlinieInfo, };

export type RichtlinieInfo = { 
/**
 * Where the policy is read from (also when there is none).
 */
datei: string, 
/**
 * Whether there is a policy file.
 */
vorhanden: boolean, 
/**
 * Every setting it pins, in the order of its documentation; empty when it pins nothing.
 */
festlegungen: Array<Festlegung>, };

export type Festlegung = { 
/**
 * The field as written in the policy, e.g. `zustelldienst.base_url`.
 */
feld: string, 
/**
 * German label.
 */
bezeichnung: string, 
/**
 * The pinned value.
 */
wert: string, };

export type Rolle = "sachbearbeitung" | "teamleitung" | "zeichnungsbefugt";

export type Sitzung = { 
/**
 * Login as stored in `zustaendig` and the audit log: the OS login (in Demo-Modus
 * `AMTSSTUBE_BENUTZER` may choose).
 */
benutzer: string, 
/**
 * Name shown in the header.
 */
anzeigename: string, 
/**
 * Main role of the user (shown in the header).
 */
rolle: Rolle, 
/**
 * Every role the user holds (from the administrator's role assignment; in Demo-Modus
 * from the environment).
 */
rollen: Array<Rolle>, 
/**
 * Demo-Modus: the environment chose the user; the banner says so.
 */
demo: boolean, 
/**
 * Where user and roles come from, in German (for the header's tooltip and the log).
 */
herkunft: string, 
/**
 * Today's date (`YYYY-MM-DD`, local time) on which views such as „Fällig" are based.
 */
heute: string, };

export type Ansicht = "neu" | "meine" | "faellig" | "ueberfaellig" | "wiedervorlage_heute" | "alle" | "zur_freigabe" | "abgabe_offen";

export type SortSpalte = "aktenzeichen" | "eingang" | "leistung" | "antragsteller" | "status" | "frist" | "zustaendig";

export type QueueAnfrage = { 
/**
 * Which view.
 */
ansicht: Ansicht, 
/**
 * Full-text search within the view (Aktenzeichen, applicant, form text, notes); empty or
 * `null` means no search.
 */
suche: string | null, 
/**
 * Column to sort by.
 */
sortierung: SortSpalte, 
/**
 * Sort descending instead of ascending.
 */
absteigend: boolean, 
/**
 * Index of the first row of the page (0-based).
 */
offset: number, 
/**
 * Number of rows of the page (1 to 500).
 */
limit: number, };

export type Faelligkeit = "offen" | "faellig" | "ueberfaellig";

export type Status = "neu" | "in_pruefung" | "nachforderung_offen" | "entscheidung_in_freigabe" | "beschieden" | "an_e_akte_uebergeben" | "archiviert" | "zurueckgewiesen" | "weitergeleitet" | "zurueckgezogen";

export type Aktion = "uebernehmen" | "wiedervorlage" | "pruefung_beginnen" | "nachfordern" | "unterlagen_eingegangen" | "nachforderung_beenden" | "zur_freigabe_vorlegen" | "freigeben" | "freigabe_verweigern" | "an_e_akte_uebergeben" | "archivieren" | "zurueckweisen" | "weiterleiten" | "zurueckziehen_vermerken";

export type Angabe = "begruendung" | "empfaenger" | "datum" | "nachforderung";

export type QueueZeile = { 
/**
 * Id of the case (for `vorgang`).
 */
id: string, 
/**
 * File reference number.
 */
aktenzeichen: string, 
/**
 * Time of receipt (RFC 3339).
 */
eingang: string, 
/**
 * Name of the administrative service.
 */
leistung: string, 
/**
 * Applicant's name.
 */
antragsteller: string, 
/**
 * Status.
 */
status: Status, 
/**
 * Status as shown (e.g. „Neu", „In Prüfung").
 */
status_text: string, 
/**
 * Deadline (`YYYY-MM-DD`), if any.
 */
frist: string | null, 
/**
 * How the deadline stands today (not by colour alone: the UI shows text or an icon too).
 */
faelligkeit: Faelligkeit, 
/**
 * Wiedervorlage date (`YYYY-MM-DD`), if any.
 */
wiedervorlage: string | null, 
/**
 * Assigned caseworker, if any.
 */
zustaendig: string | null, 
/**
 * Follow-up documents have arrived that nobody has looked at yet.
 */
neue_unterlagen: boolean, };

export type QueueAntwort = { 
/**
 * The rows of the requested page.
 */
zeilen: Array<QueueZeile>, 
/**
 * Number of all rows matching view and search (for the virtual scroll height).
 */
gesamt: number, 
/**
 * Index of the first row in `zeilen`.
 */
offset: number, };

export type AnsichtZahlen = { 
/**
 * Cases in view „Neu".
 */
neu: number, 
/**
 * Cases in view „Meine".
 */
meine: number, 
/**
 * Cases in view „Fällig".
 */
faellig: number, 
/**
 * Cases in view „Überfällig".
 */
ueberfaellig: number, 
/**
 * Cases in view „Wiedervorlage heute".
 */
wiedervorlage_heute: number, 
/**
 * All cases.
 */
alle: number, 
/**
 * Cases in view „Zur Freigabe".
 */
zur_freigabe: number, 
/**
 * Cases in view „Abgabe offen".
 */
abgabe_offen: number, 
/**
 * Every view in display order with its name as shown (e.g. „Fällig (5 Arbeitstage)“,
 * from the authority's deadline catalogue).
 */
ansichten: Array<AnsichtInfo>, };

export type AnsichtInfo = { 
/**
 * Which view.
 */
ansicht: Ansicht, 
/**
 * Its name (tab text).
 */
bezeichnung: string, };

export type GespeicherterFilter = { 
/**
 * Name chosen by the user; unique, saving under an existing name replaces it.
 */
name: string, 
/**
 * The queue request it restores.
 */
anfrage: QueueAnfrage, };

export type Antragsteller = { 
/**
 * Name of the person or organisation.
 */
name: string, 
/**
 * Postal address in one line, if given.
 */
anschrift: string | null, 
/**
 * E-mail or phone, if given.
 */
kontakt: string | null, };

export type Formular = { 
/**
 * `json` or `xml`.
 */
format: string, 
/**
 * Schema URI the online service declared.
 */
schema_uri: string, 
/**
 * The form data as received (text; never to be interpreted as HTML).
 */
inhalt: string, 
/**
 * JSON Schema text when the schema is known locally, else `null` (render key/value).
 */
schema: string | null, };

export type AnlageInfo = { 
/**
 * SHA-512 of the content (hex); identifies the attachment within the case.
 */
sha512: string, 
/**
 * File name as given by the applicant.
 */
dateiname: string, 
/**
 * MIME type.
 */
mime: string, 
/**
 * Size in bytes.
 */
groesse: number, 
/**
 * The hash was verified at intake.
 */
geprueft: boolean, 
/**
 * URL of the content through the app's attachment protocol (no plaintext file on disk).
 */
url: string, };

export type NotizInfo = { 
/**
 * Who wrote it.
 */
autor: string, 
/**
 * When (RFC 3339).
 */
zeit: string, 
/**
 * The text (plain text, never HTML).
 */
text: string, };

export type VerlaufEintrag = { 
/**
 * When (RFC 3339).
 */
zeit: string, 
/**
 * Who (user id, or „System" for the sync engine).
 */
wer: string, 
/**
 * What happened, in German (e.g. „Status: Neu → In Prüfung (In Prüfung nehmen)").
 */
was: string, };

export type AktionInfo = { 
/**
 * The action, for `vorgang_aktion`.
 */
aktion: Aktion, 
/**
 * Button text.
 */
bezeichnung: string, 
/**
 * Whether the action is possible now.
 */
moeglich: boolean, 
/**
 * Why it is not possible (German), if it is not.
 */
hinweis: string | null, 
/**
 * Needs a confirmation dialog because it cannot be undone.
 */
bestaetigen: boolean, 
/**
 * Input the dialog must ask for.
 */
eingabe: Angabe | null, };

export type NachrichtArt = "nachricht" | "nachforderung" | "erinnerung" | "eingangsbestaetigung" | "nachreichung" | "bescheid" | "zurueckweisung";

export type Zustellung = "eingegangen" | "postausgang" | "zugestellt" | "fehler" | "brief";

export type NachrichtInfo = { 
/**
 * Incoming (`true`) or outgoing.
 */
eingehend: boolean, 
/**
 * Kind.
 */
art: NachrichtArt, 
/**
 * Kind as shown.
 */
art_text: string, 
/**
 * When (RFC 3339).
 */
zeit: string, 
/**
 * Who wrote it (outgoing), if known.
 */
von: string | null, 
/**
 * Subject.
 */
betreff: string, 
/**
 * Plain text (never HTML).
 */
text: string, 
/**
 * Names of the documents it carries.
 */
anlagen: Array<string>, 
/**
 * Delivery state.
 */
zustellung: Zustellung, 
/**
 * Delivery state as shown (e.g. „Im Postausgang (2 Versuche)“).
 */
zustellung_text: string, 
/**
 * Why it failed, for [`Zustellung::Fehler`] (or the last error while retried).
 */
fehler: string | null, 
/**
 * The outbox row's key, for „Erneut senden“.
 */
auftrag: string | null, };

export type NachweisStand = { 
/**
 * Id in the Leistung's configuration.
 */
id: string, 
/**
 * Name.
 */
bezeichnung: string, 
/**
 * Received.
 */
eingegangen: boolean, 
/**
 * How: „mit Nachweis.pdf“, „abgehakt von m.muster“.
 */
wie: string | null, };

export type NachforderungInfo = { 
/**
 * The requested Nachweise.
 */
nachweise: Array<NachweisStand>, 
/**
 * Reply Frist (`YYYY-MM-DD`).
 */
frist: string, 
/**
 * When it was sent (RFC 3339).
 */
gesendet: string, 
/**
 * Who sent it.
 */
von: string, 
/**
 * The Frist has passed and the case still waits.
 */
abgelaufen: boolean, 
/**
 * Reminders sent (RFC 3339).
 */
erinnerungen: Array<string>, };

export type RueckkanalInfo = { 
/**
 * The FIT-Connect reply channel is available.
 */
fit_connect: boolean, 
/**
 * Why not, when it is not (German).
 */
hinweis: string | null, 
/**
 * Other channels the applicant named (information only, never used by the app).
 */
andere: Array<string>, };

export type NachweisAuswahl = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
bezeichnung: string, };

export type VorgangDetail = { 
/**
 * Id of the case.
 */
id: string, 
/**
 * File reference number.
 */
aktenzeichen: string, 
/**
 * Name of the administrative service.
 */
leistung: string, 
/**
 * Leistungskatalog key of the service.
 */
leika: string, 
/**
 * Time of receipt (RFC 3339).
 */
eingang: string, 
/**
 * The applicant.
 */
antragsteller: Antragsteller, 
/**
 * Status.
 */
status: Status, 
/**
 * Status as shown.
 */
status_text: string, 
/**
 * Deadline (`YYYY-MM-DD`), if any.
 */
frist: string | null, 
/**
 * How the deadline stands today.
 */
faelligkeit: Faelligkeit, 
/**
 * Wiedervorlage date (`YYYY-MM-DD`), if any.
 */
wiedervorlage: string | null, 
/**
 * Assigned caseworker, if any.
 */
zustaendig: string | null, 
/**
 * Priority as shown (e.g. „Normal", „Hoch").
 */
prioritaet: string, 
/**
 * FIT-Connect submission id, if the case came in over FIT-Connect.
 */
submission_id: string | null, 
/**
 * FIT-Connect case id, if any.
 */
case_id: string | null, 
/**
 * The form data.
 */
formular: Formular, 
/**
 * The attachments.
 */
anlagen: Array<AnlageInfo>, 
/**
 * Internal notes, oldest first.
 */
notizen: Array<NotizInfo>, 
/**
 * History, oldest first.
 */
verlauf: Array<VerlaufEintrag>, 
/**
 * Actions offered to the session's user.
 */
aktionen: Array<AktionInfo>, 
/**
 * The thread with the applicant, newest first.
 */
nachrichten: Array<NachrichtInfo>, 
/**
 * The open (or last) Nachforderung, if any.
 */
nachforderung: NachforderungInfo | null, 
/**
 * The issued Bescheid (with its payment state), once approved.
 */
bescheid?: BescheidInfo, 
/**
 * How the case can write to the applicant.
 */
rueckkanal: RueckkanalInfo, 
/**
 * The Nachweise the Leistung's configuration lets a caseworker request.
 */
nachweise_der_leistung: Array<NachweisAuswahl>, 
/**
 * The default reply Frist of a Nachforderung from today (`YYYY-MM-DD`; the Leistung's
 * Nachforderungsfrist in working days with the Land's holidays).
 */
nachforderungsfrist: string, 
/**
 * The hand-over to the E-Akte, once decided.
 */
eakte?: EAkteInfo, };

export type NachrichtAnfrage = { 
/**
 * Id of the case.
 */
id: string, 
/**
 * Kind: `nachricht`, `nachforderung`, `erinnerung` or `eingangsbestaetigung`.
 */
art: NachrichtArt, 
/**
 * Subject (empty: the template's).
 */
betreff: string, 
/**
 * The text as the caseworker wrote it.
 */
text: string, 
/**
 * For a Nachforderung: ids of the requested Nachweise.
 */
nachweise: Array<string>, 
/**
 * For a Nachforderung: reply Frist (`YYYY-MM-DD`).
 */
frist: string | null, 
/**
 * Files chosen in the system's dialog (paths from `datei_waehlen`).
 */
dateien: Array<string>, 
/**
 * Documents of the case itself (their SHA-512).
 */
dokumente: Array<string>, };

export type NachrichtEntwurf = { 
/**
 * Subject.
 */
betreff: string, 
/**
 * Text.
 */
text: string, };

export type NachrichtVorschau = { 
/**
 * Subject.
 */
betreff: string, 
/**
 * Text.
 */
text: string, 
/**
 * The requested Nachweise, as the applicant's service lists them.
 */
nachweise: Array<string>, 
/**
 * Reply Frist as shown („17.12.2026“), if any.
 */
frist: string | null, 
/**
 * Documents with their size, as they will be attached („Lageplan.pdf (120 KB)“).
 */
anlagen: Array<string>, 
/**
 * How it will travel: „FIT-Connect-Rückkanal“ or „Brief (PDF zum Drucken)“.
 */
weg: string, };

export type GewaehlteDatei = { 
/**
 * Full path (sent back in [`NachrichtAnfrage::dateien`]).
 */
pfad: string, 
/**
 * File name.
 */
name: string, 
/**
 * Size in bytes.
 */
groesse: number, };

export type AktionAnfrage = { 
/**
 * Id of the case.
 */
id: string, 
/**
 * The action as offered in [`AktionInfo::aktion`].
 */
aktion: Aktion, 
/**
 * Reason, for actions that ask for `begruendung`.
 */
begruendung: string | null, 
/**
 * Recipient, for actions that ask for `empfaenger`.
 */
empfaenger: string | null, 
/**
 * Date (`YYYY-MM-DD`), for actions that ask for `datum`.
 */
datum: string | null, };

export type SyncStatus = { 
/**
 * A pass is running.
 */
laeuft: boolean, 
/**
 * Steps done in the running pass.
 */
fertig: number, 
/**
 * Steps of the running pass (0 when unknown).
 */
gesamt: number, 
/**
 * End of the last finished pass (RFC 3339), if any.
 */
letzter_abruf: string | null, 
/**
 * The last pass could not reach the integration service.
 */
offline: boolean, 
/**
 * German status line, if there is something to say.
 */
meldung: string | null, 
/**
 * Open rows in the outbox (accepts, rejects, replies not yet sent).
 */
outbox: number, 
/**
 * Cases stored in the last pass.
 */
neue_vorgaenge: number, 
/**
 * Set when the check of the audit chain at start found it broken (German, says what
 * to do); the window shows it until the app is restarted on a sound chain.
 */
pruefprotokoll?: string, };

export type Ergebnis = "stattgegeben" | "teilweise_stattgegeben" | "abgelehnt";

export type Angabefeld = { 
/**
 * Key in the template (`hund_name`).
 */
schluessel: string, 
/**
 * Label as shown („Name des Hundes“).
 */
bezeichnung: string, 
/**
 * Value as text.
 */
wert: string, 
/**
 * The template expects a whole number (amounts in cents, years, counts).
 */
zahl: boolean, };

export type GebuehrZeile = { 
/**
 * What is charged.
 */
bezeichnung: string, 
/**
 * Legal basis (`§ 3 Abs. 1 HStS`).
 */
rechtsgrundlage: string, 
/**
 * Amount in cents.
 */
betrag_cent: number, };

export type BescheidEntwurf = { 
/**
 * Template (`hundesteuer`).
 */
vorlage: string, 
/**
 * Outcome.
 */
ergebnis: Ergebnis, 
/**
 * Facts the template uses.
 */
angaben: Array<Angabefeld>, 
/**
 * Numbered points of the Tenor.
 */
tenor: Array<string>, 
/**
 * Begründung (paragraphs separated by blank lines).
 */
begruendung: string, 
/**
 * Nebenbestimmungen and Hinweise, one per item.
 */
nebenbestimmungen: Array<string>, 
/**
 * Fees.
 */
gebuehren: Array<GebuehrZeile>, 
/**
 * Kassenzeichen for the payment (fees > 0).
 */
kassenzeichen: string, 
/**
 * Payment due date (`YYYY-MM-DD`, fees > 0).
 */
faellig_am: string, };

export type VorlageWahl = { 
/**
 * Template id.
 */
id: string, 
/**
 * Name as shown.
 */
bezeichnung: string, };

export type Moeglich = { 
/**
 * Possible now.
 */
moeglich: boolean, 
/**
 * Why not (German), when not.
 */
hinweis: string | null, };

export type DiffZeile = { 
/**
 * `gleich`, `neu` (only in the newer version) or `weg` (only in the older).
 */
art: string, 
/**
 * The line (with its section, e.g. „Begründung: …“).
 */
text: string, };

export type BescheidInfo = { 
/**
 * Date (`YYYY-MM-DD`).
 */
datum: string, 
/**
 * Approved version.
 */
version: number, 
/**
 * Who approved it.
 */
freigegeben_von: string, 
/**
 * File name of the sealed PDF.
 */
dateiname: string, 
/**
 * URL of the sealed PDF (the attachment protocol).
 */
url: string, 
/**
 * Fee sum in cents.
 */
summe_cent: number, 
/**
 * Kassenzeichen, if fees are due.
 */
kassenzeichen: string | null, 
/**
 * A fee is due and not yet marked paid.
 */
zahlung_offen: boolean, 
/**
 * When it was marked paid.
 */
bezahlt_am: string | null, 
/**
 * How it reached the applicant, in German.
 */
versand: string, };

export type EAkteInfo = { 
/**
 * Step: `wartet`, `zugestellt`, `empfangen`, `zu_den_akten`, `fehler`, `geloescht`.
 */
zustand: string, 
/**
 * The step as shown, e.g. „Zu den Akten“.
 */
zustand_text: string, 
/**
 * ProzessID of the xdomea message.
 */
prozess_id: string, 
/**
 * When it was handed over (RFC 3339) and by whom.
 */
uebergeben: string, 
/**
 * Login of the person who handed it over.
 */
von: string, 
/**
 * Number of documents in the message.
 */
dokumente: number, 
/**
 * When it was delivered to the hand-over folder or endpoint (RFC 3339).
 */
zugestellt: string | null, 
/**
 * When the E-Akte confirmed the receipt (0629, RFC 3339).
 */
empfangen: string | null, 
/**
 * When the E-Akte confirmed the import (0630, RFC 3339).
 */
importiert: string | null, 
/**
 * The E-Akte's reference of the filed case.
 */
referenz: string | null, 
/**
 * The E-Akte's error text when the import failed.
 */
fehler: string | null, 
/**
 * Why the delivery has not worked yet (it is retried), e.g. a full disk.
 */
zustellfehler: string | null, 
/**
 * When the local copy was deleted (RFC 3339); the case is a tombstone since.
 */
geloescht: string | null, 
/**
 * When the local copy will be deleted (RFC 3339), once imported.
 */
loeschung_ab: string | null, };

export type EAkteDokument = { 
/**
 * Title, e.g. „Antrag (Formulardaten)“, „Bescheid“.
 */
titel: string, 
/**
 * Kind as shown: Antrag, Anlage, Nachricht, Bescheid, Protokoll.
 */
typ: string, 
/**
 * File name as the caseworker knows it (in the container it is prefixed with its id).
 */
dateiname: string, 
/**
 * Size in bytes.
 */
groesse: number, 
/**
 * Carries an embedded seal or signature.
 */
signiert: boolean, };

export type EAkteVorschau = { 
/**
 * Id of the case.
 */
id: string, 
/**
 * File reference number.
 */
aktenzeichen: string, 
/**
 * The receiving E-Akte and where the message goes (folder or address).
 */
ziel: string, 
/**
 * The documents, in the message's order.
 */
dokumente: Array<EAkteDokument>, 
/**
 * Size of the container in bytes.
 */
groesse: number, 
/**
 * A new attempt after an import error.
 */
erneut: boolean, 
/**
 * Grace period before the local copy is deleted after the import, as shown.
 */
karenz: string, };

export type EAkteStatus = { 
/**
 * Whether an E-Akte is configured (or the demo stand-in runs).
 */
eingerichtet: boolean, 
/**
 * The receiving E-Akte and where messages go, as shown.
 */
ziel: string, 
/**
 * Messages waiting to be delivered.
 */
unterwegs: number, 
/**
 * Problems to act on: delivery errors, confirmations that could not be read or belong to
 * no case (newest first).
 */
hinweise: Array<string>, };

export type EntscheidungAnsicht = { 
/**
 * Templates of the case's Leistung.
 */
vorlagen: Array<VorlageWahl>, 
/**
 * The saved draft (latest version) or, without one, the prefilled proposal.
 */
entwurf: BescheidEntwurf, 
/**
 * Version of the saved draft, if any.
 */
version: number | null, 
/**
 * Everyone who wrote a version.
 */
verfasser: Array<string>, 
/**
 * When the latest version was saved (RFC 3339).
 */
gespeichert_am: string | null, 
/**
 * The Land's Rechtsbehelfsbelehrung for this decision (read-only).
 */
rechtsbehelfsbelehrung: string, 
/**
 * Editing and saving the draft.
 */
bearbeiten: Moeglich, 
/**
 * Submitting it for approval.
 */
vorlegen: Moeglich, 
/**
 * Approving it (Freigeben).
 */
freigeben: Moeglich, 
/**
 * Returning it with a comment.
 */
zurueckgeben: Moeglich, 
/**
 * The version the session's user saw before this one, if any (start of the diff).
 */
zuletzt_gesehen: number | null, 
/**
 * What changed since `zuletzt_gesehen` (empty without an earlier version).
 */
aenderungen: Array<DiffZeile>, 
/**
 * The issued Bescheid, once approved.
 */
bescheid: BescheidInfo | null, };

export type BescheidVorschau = { 
/**
 * One SVG document per page.
 */
seiten: Array<string>, 
/**
 * How long the layout took, in milliseconds.
 */
millis: number, 
/**
 * Why the draft cannot be rendered (German); `seiten` is empty then.
 */
fehler: string | null, };

export type SiegelPruefung = { 
/**
 * The PDF carries a seal or signature at all.
 */
signiert: boolean, 
/**
 * Intact, covering the whole document and from a trusted issuer.
 */
gueltig: boolean, 
/**
 * The result in German („Siegel gültig: … (Aussteller …)“, or what failed).
 */
text: string, };
