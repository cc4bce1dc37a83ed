// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.
// The command table is `mit_befehlen!` in crates/ipc/src/befehle.rs.

import { call, callVorab } from './aufruf';
import type { AktionAnfrage, AnsichtZahlen, AppInfo, BescheidEntwurf, BescheidVorschau, EAkteStatus, EAkteVorschau, EntscheidungAnsicht, Ergebnis, GespeicherterFilter, GewaehlteDatei, NachrichtAnfrage, NachrichtArt, NachrichtEntwurf, NachrichtVorschau, QueueAnfrage, QueueAntwort, SiegelPruefung, Sitzung, SyncStatus, VorgangDetail } from './bindings';

/** The Tauri name of every command. */
export type Befehlsname =
  | 'app_info'
  | 'sitzung'
  | 'posteingang'
  | 'ansicht_zahlen'
  | 'mir_zuweisen'
  | 'vorgang'
  | 'vorgang_aktion'
  | 'notiz_hinzufuegen'
  | 'nachricht_entwurf'
  | 'nachricht_vorschau'
  | 'nachricht_senden'
  | 'nachricht_erneut_senden'
  | 'entscheidung'
  | 'entscheidung_vorschlag'
  | 'entscheidung_vorschau'
  | 'entscheidung_speichern'
  | 'entscheidung_freigeben'
  | 'entscheidung_zurueckgeben'
  | 'zahlung_vermerken'
  | 'eakte_vorschau'
  | 'eakte_abgeben'
  | 'eakte_status'
  | 'anlage_siegel'
  | 'nachweis_abhaken'
  | 'datei_waehlen'
  | 'brief_speichern'
  | 'anlage_speichern'
  | 'vorgang_exportieren'
  | 'diagnosebericht_speichern'
  | 'gespeicherte_filter'
  | 'filter_speichern'
  | 'filter_loeschen'
  | 'sync_status'
  | 'jetzt_abrufen';

/** The read-only commands of the first screen that `vorabLaden` may start early, with their argument. */
export type VorabAnfrage =
  | [befehl: 'app_info']
  | [befehl: 'sitzung']
  | [befehl: 'posteingang', anfrage: QueueAnfrage]
  | [befehl: 'ansicht_zahlen']
  | [befehl: 'sync_status'];

/**
 * Version, Profilordner und Verbindungsart der laufenden App.
 */
export function appInfo(): Promise<AppInfo> {
  return callVorab<AppInfo>('app_info');
}

/**
 * Wer in dieser Sitzung arbeitet, in welcher Rolle, und das heutige Datum.
 */
export function sitzung(): Promise<Sitzung> {
  return callVorab<Sitzung>('sitzung');
}

/**
 * Eine Seite einer Ansicht des Posteingangs.
 */
export function posteingang(anfrage: QueueAnfrage): Promise<QueueAntwort> {
  return callVorab<QueueAntwort>('posteingang', { anfrage });
}

/**
 * Wie viele Vorgänge jede Ansicht enthält.
 */
export function ansichtZahlen(): Promise<AnsichtZahlen> {
  return callVorab<AnsichtZahlen>('ansicht_zahlen');
}

/**
 * Weist die Vorgänge dem Benutzer der Sitzung zu; antwortet, wie viele es waren.
 */
export function mirZuweisen(ids: Array<string>): Promise<number> {
  return call<number>('mir_zuweisen', { ids });
}

/**
 * Alles, was die Vorgangsansicht zeigt; das Öffnen wird protokolliert. Mit
 * `erneut` liest die Ansicht einen Vorgang, den sie schon zeigt, nach einer
 * Änderung neu (kein neues Öffnen im Protokoll).
 */
export function vorgang(id: string, erneut?: boolean | null): Promise<VorgangDetail> {
  return call<VorgangDetail>('vorgang', { id, erneut });
}

/**
 * Führt eine Aktion an einem Vorgang aus; antwortet mit dem Vorgang danach.
 */
export function vorgangAktion(anfrage: AktionAnfrage): Promise<VorgangDetail> {
  return call<VorgangDetail>('vorgang_aktion', { anfrage });
}

/**
 * Fügt einem Vorgang eine interne Notiz hinzu.
 */
export function notizHinzufuegen(id: string, text: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('notiz_hinzufuegen', { id, text });
}

/**
 * Die Vorlage einer Nachricht, aus dem Vorgang ausgefüllt (bei einer Nachforderung
 * mit den gewählten Nachweisen und der Frist).
 */
export function nachrichtEntwurf(id: string, art: NachrichtArt, nachweise: Array<string>, frist?: string | null): Promise<NachrichtEntwurf> {
  return call<NachrichtEntwurf>('nachricht_entwurf', { id, art, nachweise, frist });
}

/**
 * Die Nachricht genau so, wie sie gesendet würde – oder warum sie nicht gehen kann.
 */
export function nachrichtVorschau(anfrage: NachrichtAnfrage): Promise<NachrichtVorschau> {
  return call<NachrichtVorschau>('nachricht_vorschau', { anfrage });
}

/**
 * Sendet eine Nachricht an die antragstellende Person (über den Postausgang); bei
 * einer Nachforderung mit Statuswechsel und Wiedervorlage am Arbeitstag nach der Frist.
 */
export function nachrichtSenden(anfrage: NachrichtAnfrage): Promise<VorgangDetail> {
  return call<VorgangDetail>('nachricht_senden', { anfrage });
}

/**
 * Stellt eine fehlgeschlagene Nachricht erneut in den Postausgang.
 */
export function nachrichtErneutSenden(id: string, auftrag: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('nachricht_erneut_senden', { id, auftrag });
}

/**
 * Die Entscheidung eines Vorgangs: Entwurf (oder Vorschlag), Vorlagen, was die
 * Sitzung tun darf, Änderungen seit der zuletzt gesehenen Fassung, der Bescheid.
 */
export function entscheidung(id: string): Promise<EntscheidungAnsicht> {
  return call<EntscheidungAnsicht>('entscheidung', { id });
}

/**
 * Ein neuer Entwurf aus einer Vorlage und einem Ergebnis, aus dem Antrag vorbelegt.
 */
export function entscheidungVorschlag(id: string, vorlage: string, ergebnis: Ergebnis): Promise<BescheidEntwurf> {
  return call<BescheidEntwurf>('entscheidung_vorschlag', { id, vorlage, ergebnis });
}

/**
 * Die Seiten des Entwurfs, gesetzt wie der Bescheid (ohne Siegel).
 */
export function entscheidungVorschau(id: string, entwurf: BescheidEntwurf): Promise<BescheidVorschau> {
  return call<BescheidVorschau>('entscheidung_vorschau', { id, entwurf });
}

/**
 * Speichert den Entwurf als neue Fassung.
 */
export function entscheidungSpeichern(id: string, entwurf: BescheidEntwurf): Promise<EntscheidungAnsicht> {
  return call<EntscheidungAnsicht>('entscheidung_speichern', { id, entwurf });
}

/**
 * Gibt den vorgelegten Entwurf frei: siegeln, im Vorgang ablegen, versenden.
 */
export function entscheidungFreigeben(id: string): Promise<EntscheidungAnsicht> {
  return call<EntscheidungAnsicht>('entscheidung_freigeben', { id });
}

/**
 * Gibt den vorgelegten Entwurf mit einem Kommentar zur Überarbeitung zurück.
 */
export function entscheidungZurueckgeben(id: string, kommentar: string): Promise<EntscheidungAnsicht> {
  return call<EntscheidungAnsicht>('entscheidung_zurueckgeben', { id, kommentar });
}

/**
 * Vermerkt den Zahlungseingang der Gebühren eines Bescheids.
 */
export function zahlungVermerken(id: string, datum: string): Promise<EntscheidungAnsicht> {
  return call<EntscheidungAnsicht>('zahlung_vermerken', { id, datum });
}

/**
 * Was „An E-Akte abgeben“ übergeben wird (Dokumente, Ziel), zum Bestätigen.
 */
export function eakteVorschau(id: string): Promise<EAkteVorschau> {
  return call<EAkteVorschau>('eakte_vorschau', { id });
}

/**
 * Gibt den abgeschlossenen Vorgang an die E-Akte ab (xdomea 0605 über den Postausgang).
 */
export function eakteAbgeben(id: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('eakte_abgeben', { id });
}

/**
 * Wo die Abgaben an die E-Akte stehen, mit Hinweisen auf Fehler.
 */
export function eakteStatus(): Promise<EAkteStatus> {
  return call<EAkteStatus>('eakte_status');
}

/**
 * Prüft Siegel bzw. Signatur einer PDF-Anlage (gegen die Vertrauensanker der Behörde).
 */
export function anlageSiegel(vorgangId: string, sha512: string): Promise<SiegelPruefung> {
  return call<SiegelPruefung>('anlage_siegel', { vorgangId, sha512 });
}

/**
 * Hakt einen nachgeforderten Nachweis als eingegangen ab (oder wieder als offen).
 */
export function nachweisAbhaken(id: string, nachweis: string, eingegangen: boolean): Promise<VorgangDetail> {
  return call<VorgangDetail>('nachweis_abhaken', { id, nachweis, eingegangen });
}

/**
 * „Datei anhängen …“: fragt im Dialog des Systems nach einer Datei; `null`, wenn
 * abgebrochen.
 */
export function dateiWaehlen(): Promise<GewaehlteDatei | null> {
  return call<GewaehlteDatei | null>('datei_waehlen');
}

/**
 * „Als Brief speichern …“ (kein elektronischer Rückkanal): setzt die Nachricht als
 * PDF-Brief, fragt im Dialog des Systems nach dem Ziel, legt ihn im Vorgang ab und
 * vermerkt die Nachricht „per Brief“; `null`, wenn abgebrochen.
 */
export function briefSpeichern(anfrage: NachrichtAnfrage): Promise<VorgangDetail | null> {
  return call<VorgangDetail | null>('brief_speichern', { anfrage });
}

/**
 * „Speichern unter …“: fragt im Dialog des Systems nach dem Ziel und schreibt die
 * Anlage dorthin (protokolliert); `null`, wenn abgebrochen.
 */
export function anlageSpeichern(vorgangId: string, sha512: string): Promise<string | null> {
  return call<string | null>('anlage_speichern', { vorgangId, sha512 });
}

/**
 * Exportiert den Antrag (Formulardaten und alle Dokumente) in einen gewählten Ordner,
 * z. B. für die Behörde, an die er weitergeleitet wurde; antwortet mit dem Ordner.
 */
export function vorgangExportieren(id: string): Promise<string | null> {
  return call<string | null>('vorgang_exportieren', { id });
}

/**
 * „Diagnosebericht speichern …“: fragt im Dialog des Systems nach dem Ziel und
 * schreibt den Bericht für die IT (ZIP, nichts Persönliches); antwortet mit dem
 * Pfad, `null`, wenn abgebrochen.
 */
export function diagnoseberichtSpeichern(): Promise<string | null> {
  return call<string | null>('diagnosebericht_speichern');
}

/**
 * Die gespeicherten Filter des Posteingangs.
 */
export function gespeicherteFilter(): Promise<Array<GespeicherterFilter>> {
  return call<Array<GespeicherterFilter>>('gespeicherte_filter');
}

/**
 * Speichert einen Filter (ersetzt einen gleichnamigen); antwortet mit allen Filtern.
 */
export function filterSpeichern(filter: GespeicherterFilter): Promise<Array<GespeicherterFilter>> {
  return call<Array<GespeicherterFilter>>('filter_speichern', { filter });
}

/**
 * Löscht einen gespeicherten Filter; antwortet mit den übrigen.
 */
export function filterLoeschen(name: string): Promise<Array<GespeicherterFilter>> {
  return call<Array<GespeicherterFilter>>('filter_loeschen', { name });
}

/**
 * Wo der Abruf im Hintergrund steht.
 */
export function syncStatus(): Promise<SyncStatus> {
  return callVorab<SyncStatus>('sync_status');
}

/**
 * „Jetzt abrufen“: startet einen Abruf, wenn keiner läuft.
 */
export function jetztAbrufen(): Promise<SyncStatus> {
  return call<SyncStatus>('jetzt_abrufen');
}
