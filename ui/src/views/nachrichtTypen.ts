// The types of the conversation with the applicant, taken from the generated contract through
// what ui/src/ipc exports (the case detail and the command wrappers), so they follow it when it
// is generated anew.

import type { dateiWaehlen, nachrichtEntwurf, nachrichtSenden, nachrichtVorschau, VorgangDetail } from '../ipc';

/** One message of the thread. */
export type NachrichtInfo = VorgangDetail['nachrichten'][number];
/** The open (or last) Nachforderung of the case. */
export type NachforderungInfo = NonNullable<VorgangDetail['nachforderung']>;
/** A requested Nachweis on the case. */
export type NachweisStand = NachforderungInfo['nachweise'][number];
/** How the case can write to the applicant. */
export type RueckkanalInfo = VorgangDetail['rueckkanal'];
/** A Nachweis the caseworker can request. */
export type NachweisAuswahl = VorgangDetail['nachweise_der_leistung'][number];
/** A message as the caseworker composed it. */
export type NachrichtAnfrage = Parameters<typeof nachrichtSenden>[0];
/** The message exactly as it will be sent. */
export type NachrichtVorschau = Awaited<ReturnType<typeof nachrichtVorschau>>;
/** The template filled from the case. */
export type NachrichtEntwurf = Awaited<ReturnType<typeof nachrichtEntwurf>>;
/** A file chosen in the system's dialog. */
export type GewaehlteDatei = NonNullable<Awaited<ReturnType<typeof dateiWaehlen>>>;

/** The kinds of message a caseworker writes in the composer. */
export type SchreibArt = 'nachricht' | 'nachforderung' | 'erinnerung' | 'eingangsbestaetigung';
