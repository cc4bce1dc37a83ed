//! Deadlines: business days with German public holidays per Bundesland, statutory processing
//! times per Leistung, and the derived "fällig" / "überfällig".
//!
//! Holidays follow the state laws in force since 2023 (Frauentag in Berlin since 2019 and in
//! Mecklenburg-Vorpommern since 2023, Weltkindertag in Thüringen since 2019, Reformationstag in
//! the four northern states since 2018, nationwide in 2017, the one-off 8 May in Berlin 2020
//! and 2025). Holidays that hold only in some municipalities (Fronleichnam in parts of Sachsen
//! and Thüringen, Mariä Himmelfahrt in Catholic Bavaria, Augsburger Friedensfest) are not
//! counted: a deadline then ends one day early rather than late. Easter is computed here
//! (Gregorian computus), no table.
//!
//! Deadline ends follow § 31 VwVfG: a period counts from the day after the event; if its last
//! day is a Saturday, Sunday or public holiday, it ends on the next business day.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

/// The sixteen German states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Bundesland {
    BW,
    BY,
    BE,
    BB,
    HB,
    HH,
    HE,
    MV,
    NI,
    NW,
    RP,
    SL,
    SN,
    ST,
    SH,
    TH,
}

impl Bundesland {
    /// All states.
    pub const ALLE: [Bundesland; 16] = [
        Self::BW,
        Self::BY,
        Self::BE,
        Self::BB,
        Self::HB,
        Self::HH,
        Self::HE,
        Self::MV,
        Self::NI,
        Self::NW,
        Self::RP,
        Self::SL,
        Self::SN,
        Self::ST,
        Self::SH,
        Self::TH,
    ];

    /// German name.
    pub fn name(self) -> &'static str {
        match self {
            Self::BW => "Baden-Württemberg",
            Self::BY => "Bayern",
            Self::BE => "Berlin",
            Self::BB => "Brandenburg",
            Self::HB => "Bremen",
            Self::HH => "Hamburg",
            Self::HE => "Hessen",
            Self::MV => "Mecklenburg-Vorpommern",
            Self::NI => "Niedersachsen",
            Self::NW => "Nordrhein-Westfalen",
            Self::RP => "Rheinland-Pfalz",
            Self::SL => "Saarland",
            Self::SN => "Sachsen",
            Self::ST => "Sachsen-Anhalt",
            Self::SH => "Schleswig-Holstein",
            Self::TH => "Thüringen",
        }
    }
}

impl fmt::Display for Bundesland {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Easter Sunday of `jahr` (Gregorian calendar, anonymous computus).
pub fn ostersonntag(jahr: i32) -> Date {
    let a = jahr.rem_euclid(19);
    let b = jahr.div_euclid(100);
    let c = jahr.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let monat = (h + l - 7 * m + 114) / 31;
    let tag = (h + l - 7 * m + 114) % 31 + 1;
    // March 22 .. April 25 always exist; the fallback is unreachable but keeps this panic-free.
    let monat = if monat == 3 {
        Month::March
    } else {
        Month::April
    };
    Date::from_calendar_date(jahr, monat, tag as u8).unwrap_or(Date::MIN)
}

fn datum(jahr: i32, monat: Month, tag: u8) -> Option<Date> {
    Date::from_calendar_date(jahr, monat, tag).ok()
}

/// Public holidays of `jahr` in `land`, sorted by date, with their German names.
pub fn feiertage(jahr: i32, land: Bundesland) -> Vec<(Date, &'static str)> {
    use Bundesland::*;
    let ostern = ostersonntag(jahr);
    let rel = |tage: i64| Some(ostern + Duration::days(tage));
    let mut v: Vec<(Option<Date>, &'static str)> = vec![
        (datum(jahr, Month::January, 1), "Neujahr"),
        (rel(-2), "Karfreitag"),
        (rel(1), "Ostermontag"),
        (datum(jahr, Month::May, 1), "Tag der Arbeit"),
        (rel(39), "Christi Himmelfahrt"),
        (rel(50), "Pfingstmontag"),
        (datum(jahr, Month::October, 3), "Tag der Deutschen Einheit"),
        (datum(jahr, Month::December, 25), "1. Weihnachtsfeiertag"),
        (datum(jahr, Month::December, 26), "2. Weihnachtsfeiertag"),
    ];
    if matches!(land, BW | BY | ST) {
        v.push((datum(jahr, Month::January, 6), "Heilige Drei Könige"));
    }
    if (land == BE && jahr >= 2019) || (land == MV && jahr >= 2023) {
        v.push((datum(jahr, Month::March, 8), "Internationaler Frauentag"));
    }
    if land == BB {
        v.push((rel(0), "Ostersonntag"));
        v.push((rel(49), "Pfingstsonntag"));
    }
    if land == BE && (jahr == 2020 || jahr == 2025) {
        v.push((datum(jahr, Month::May, 8), "Tag der Befreiung"));
    }
    if matches!(land, BW | BY | HE | NW | RP | SL) {
        v.push((rel(60), "Fronleichnam"));
    }
    if land == SL {
        v.push((datum(jahr, Month::August, 15), "Mariä Himmelfahrt"));
    }
    if land == TH && jahr >= 2019 {
        v.push((datum(jahr, Month::September, 20), "Weltkindertag"));
    }
    let reformation = matches!(land, BB | MV | SN | ST | TH)
        || (matches!(land, HB | HH | NI | SH) && jahr >= 2018)
        || jahr == 2017;
    if reformation {
        v.push((datum(jahr, Month::October, 31), "Reformationstag"));
    }
    if matches!(land, BW | BY | NW | RP | SL) {
        v.push((datum(jahr, Month::November, 1), "Allerheiligen"));
    }
    if land == SN {
        // The Wednesday before 23 November.
        if let Some(d23) = datum(jahr, Month::November, 23) {
            let zurueck = (d23.weekday().number_days_from_monday() as i64 - 2).rem_euclid(7);
            let zurueck = if zurueck == 0 { 7 } else { zurueck };
            v.push((Some(d23 - Duration::days(zurueck)), "Buß- und Bettag"));
        }
    }
    let mut out: Vec<(Date, &'static str)> = v
        .into_iter()
        .filter_map(|(d, n)| d.map(|d| (d, n)))
        .collect();
    out.sort();
    out
}

/// The holiday name if `tag` is a public holiday in `land`.
pub fn feiertag(tag: Date, land: Bundesland) -> Option<&'static str> {
    feiertage(tag.year(), land)
        .into_iter()
        .find(|(d, _)| *d == tag)
        .map(|(_, n)| n)
}

/// Monday to Friday and no public holiday in `land`.
pub fn ist_arbeitstag(tag: Date, land: Bundesland) -> bool {
    !matches!(tag.weekday(), Weekday::Saturday | Weekday::Sunday) && feiertag(tag, land).is_none()
}

/// The first business day on or after `tag`.
pub fn naechster_arbeitstag(mut tag: Date, land: Bundesland) -> Date {
    while !ist_arbeitstag(tag, land) {
        tag = tag.next_day().unwrap_or(tag);
        if tag == Date::MAX {
            break;
        }
    }
    tag
}

/// The date `n` business days after `start` (start itself not counted).
pub fn plus_arbeitstage(start: Date, n: u32, land: Bundesland) -> Date {
    let mut tag = start;
    let mut rest = n;
    while rest > 0 {
        match tag.next_day() {
            Some(t) => tag = t,
            None => break,
        }
        if ist_arbeitstag(tag, land) {
            rest -= 1;
        }
    }
    tag
}

/// Business days after `von` up to and including `bis` (0 if `bis <= von`).
pub fn arbeitstage_zwischen(von: Date, bis: Date, land: Bundesland) -> u32 {
    let mut n = 0;
    let mut tag = von;
    while tag < bis {
        match tag.next_day() {
            Some(t) => tag = t,
            None => break,
        }
        if ist_arbeitstag(tag, land) {
            n += 1;
        }
    }
    n
}

/// A statutory processing time (configured per Leistung).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "einheit", content = "anzahl", rename_all = "snake_case")]
pub enum Fristregel {
    /// So many business days.
    Arbeitstage(u32),
    /// So many calendar days (§ 31 VwVfG end shift applies).
    Kalendertage(u32),
    /// So many weeks.
    Wochen(u32),
    /// So many months (e.g. the three months of § 42a VwVfG).
    Monate(u32),
}

impl Fristregel {
    /// The deadline for an application received on `eingang`.
    pub fn frist_ab(self, eingang: Date, land: Bundesland) -> Date {
        match self {
            Fristregel::Arbeitstage(n) => plus_arbeitstage(eingang, n, land),
            Fristregel::Kalendertage(n) => {
                naechster_arbeitstag(eingang + Duration::days(n.into()), land)
            }
            Fristregel::Wochen(n) => {
                naechster_arbeitstag(eingang + Duration::weeks(n.into()), land)
            }
            Fristregel::Monate(n) => naechster_arbeitstag(plus_monate(eingang, n), land),
        }
    }
}

/// Same day `n` months later, or the last day of that month (§ 188 Abs. 3 BGB).
pub fn plus_monate(d: Date, n: u32) -> Date {
    let gesamt = d.year() * 12 + (d.month() as i32 - 1) + n as i32;
    let jahr = gesamt.div_euclid(12);
    let monat = Month::try_from((gesamt.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let letzter = time::util::days_in_month(monat, jahr);
    Date::from_calendar_date(jahr, monat, d.day().min(letzter)).unwrap_or(d)
}

/// The office's deadline configuration: statutory processing time per Leistung (LeiKa key),
/// a default, the Bundesland whose holidays count, and the lead time for "fällig".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fristenkatalog {
    /// The state whose public holidays count.
    pub bundesland: Bundesland,
    /// Processing time for Leistungen without their own entry (e.g. three months, § 42a VwVfG).
    pub standard: Fristregel,
    /// Processing time per LeiKa key.
    pub je_leistung: std::collections::BTreeMap<String, Fristregel>,
    /// Business days before the deadline from which a case counts as "fällig".
    pub vorlauf_arbeitstage: u32,
}

impl Fristenkatalog {
    /// The processing deadline of an application for `leika` received on `eingang`.
    pub fn frist(&self, leika: &str, eingang: Date) -> Date {
        self.je_leistung
            .get(leika)
            .copied()
            .unwrap_or(self.standard)
            .frist_ab(eingang, self.bundesland)
    }

    /// The urgency of a case on `heute`.
    pub fn faelligkeit(
        &self,
        offen: bool,
        frist: Option<Date>,
        wiedervorlage: Option<Date>,
        heute: Date,
    ) -> Faelligkeit {
        self.stichtag(heute)
            .faelligkeit(offen, frist, wiedervorlage)
    }

    /// The last deadline day that counts as "fällig" on `heute` (for store queries).
    pub fn faellig_bis(&self, heute: Date) -> Date {
        faellig_bis(heute, self.vorlauf_arbeitstage, self.bundesland)
    }

    /// `heute` with its "fällig" bound, for store filters and [`Stichtag::faelligkeit`].
    pub fn stichtag(&self, heute: Date) -> Stichtag {
        Stichtag {
            heute,
            faellig_bis: self.faellig_bis(heute),
        }
    }

    /// The name of the "fällig" view with its lead time, as caseworkers read it:
    /// „Fällig (5 Arbeitstage)“, „Fällig (1 Arbeitstag)“, „Fällig (heute)“.
    pub fn faellig_bezeichnung(&self) -> String {
        match self.vorlauf_arbeitstage {
            0 => "Fällig (heute)".to_owned(),
            1 => "Fällig (1 Arbeitstag)".to_owned(),
            n => format!("Fällig ({n} Arbeitstage)"),
        }
    }
}

/// "Today" for deadline questions, with the last deadline day that still counts as "fällig"
/// (from [`Fristenkatalog::stichtag`]: the lead time in business days of the Land). Store
/// queries filter by these two dates; [`Stichtag::faelligkeit`] classifies one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stichtag {
    /// Today.
    pub heute: Date,
    /// Deadlines up to this day count as "fällig".
    pub faellig_bis: Date,
}

impl Stichtag {
    /// The rule of "fällig" and "überfällig", the one place it is written down: a closed case
    /// is never due; an open case whose deadline has passed is überfällig; one whose deadline
    /// is on or before [`Stichtag::faellig_bis`], or whose Wiedervorlage date has come, is
    /// fällig.
    pub fn faelligkeit(
        self,
        offen: bool,
        frist: Option<Date>,
        wiedervorlage: Option<Date>,
    ) -> Faelligkeit {
        if !offen {
            return Faelligkeit::Offen;
        }
        if frist.is_some_and(|f| f < self.heute) {
            return Faelligkeit::Ueberfaellig;
        }
        if frist.is_some_and(|f| f <= self.faellig_bis)
            || wiedervorlage.is_some_and(|w| w <= self.heute)
        {
            return Faelligkeit::Faellig;
        }
        Faelligkeit::Offen
    }
}

/// How urgent an open case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Faelligkeit {
    /// Nothing due.
    Offen,
    /// The deadline is today or within the lead time, or the Wiedervorlage date has come.
    Faellig,
    /// The deadline has passed.
    Ueberfaellig,
}

impl Faelligkeit {
    /// German label.
    pub fn bezeichnung(self) -> &'static str {
        match self {
            Faelligkeit::Offen => "offen",
            Faelligkeit::Faellig => "fällig",
            Faelligkeit::Ueberfaellig => "überfällig",
        }
    }
}

/// The last day that still counts as "fällig" when today is `heute` and `vorlauf` business
/// days of warning are wanted (0 = due on the day itself). Store queries use this bound.
pub fn faellig_bis(heute: Date, vorlauf: u32, land: Bundesland) -> Date {
    plus_arbeitstage(heute, vorlauf, land)
}

/// Derives the urgency of a case (the rule is [`Stichtag::faelligkeit`]).
pub fn faelligkeit(
    offen: bool,
    frist: Option<Date>,
    wiedervorlage: Option<Date>,
    heute: Date,
    vorlauf: u32,
    land: Bundesland,
) -> Faelligkeit {
    Stichtag {
        heute,
        faellig_bis: faellig_bis(heute, vorlauf, land),
    }
    .faelligkeit(offen, frist, wiedervorlage)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn easter_is_computed_for_known_years() {
        assert_eq!(ostersonntag(2024), date!(2024 - 03 - 31));
        assert_eq!(ostersonntag(2025), date!(2025 - 04 - 20));
        assert_eq!(ostersonntag(2026), date!(2026 - 04 - 05));
        assert_eq!(ostersonntag(2038), date!(2038 - 04 - 25));
        assert_eq!(ostersonntag(2285), date!(2285 - 03 - 22));
        assert_eq!(ostersonntag(2000), date!(2000 - 04 - 23));
    }

    #[test]
    fn holidays_differ_by_state() {
        let by = feiertage(2026, Bundesland::BY);
        assert!(by.contains(&(date!(2026 - 06 - 04), "Fronleichnam")));
        assert!(by.contains(&(date!(2026 - 01 - 06), "Heilige Drei Könige")));
        assert_eq!(feiertag(date!(2026 - 06 - 04), Bundesland::BE), None);
        assert_eq!(
            feiertag(date!(2026 - 03 - 08), Bundesland::BE),
            Some("Internationaler Frauentag")
        );
        assert_eq!(feiertag(date!(2022 - 03 - 08), Bundesland::MV), None);
        assert_eq!(
            feiertag(date!(2026 - 11 - 18), Bundesland::SN),
            Some("Buß- und Bettag")
        );
        assert_eq!(
            feiertag(date!(2025 - 11 - 19), Bundesland::SN),
            Some("Buß- und Bettag")
        );
        assert_eq!(
            feiertag(date!(2026 - 10 - 31), Bundesland::NI),
            Some("Reformationstag")
        );
        assert_eq!(
            feiertag(date!(2017 - 10 - 31), Bundesland::BW),
            Some("Reformationstag")
        );
        assert_eq!(feiertag(date!(2018 - 10 - 31), Bundesland::BW), None);
        assert_eq!(
            feiertag(date!(2026 - 09 - 20), Bundesland::TH),
            Some("Weltkindertag")
        );
        assert_eq!(
            feiertag(date!(2025 - 05 - 08), Bundesland::BE),
            Some("Tag der Befreiung")
        );
        assert_eq!(
            feiertag(date!(2026 - 08 - 15), Bundesland::SL),
            Some("Mariä Himmelfahrt")
        );
        // Every state has the nine nationwide holidays.
        for land in Bundesland::ALLE {
            assert!(feiertage(2026, land).len() >= 9, "{land}");
        }
        assert_eq!(feiertage(2026, Bundesland::BE).len(), 10);
        assert_eq!(feiertage(2026, Bundesland::BY).len(), 12);
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        // Thursday before Easter 2026 + 1 business day: Good Friday, weekend, Easter Monday skipped.
        assert_eq!(
            plus_arbeitstage(date!(2026 - 04 - 02), 1, Bundesland::NW),
            date!(2026 - 04 - 07)
        );
        assert_eq!(
            arbeitstage_zwischen(date!(2026 - 04 - 02), date!(2026 - 04 - 07), Bundesland::NW),
            1
        );
        assert!(!ist_arbeitstag(date!(2026 - 12 - 26), Bundesland::HH));
        assert!(ist_arbeitstag(date!(2026 - 12 - 28), Bundesland::HH));
    }

    #[test]
    fn deadline_ends_shift_to_the_next_business_day_and_months_clamp() {
        // Received 31 Jan, one month: 28 Feb 2026 is a Saturday -> Monday 2 March.
        assert_eq!(
            Fristregel::Monate(1).frist_ab(date!(2026 - 01 - 31), Bundesland::BE),
            date!(2026 - 03 - 02)
        );
        // Three months from 5 Aug 2026 = 5 Nov 2026 (Thursday).
        assert_eq!(
            Fristregel::Monate(3).frist_ab(date!(2026 - 08 - 05), Bundesland::BE),
            date!(2026 - 11 - 05)
        );
        // 14 days from 17 Dec 2026 = 31 Dec (Thursday, not a holiday).
        assert_eq!(
            Fristregel::Kalendertage(14).frist_ab(date!(2026 - 12 - 17), Bundesland::BE),
            date!(2026 - 12 - 31)
        );
        // 10 business days in Bavaria around Fronleichnam (Thu 4 June 2026).
        assert_eq!(
            Fristregel::Arbeitstage(10).frist_ab(date!(2026 - 06 - 01), Bundesland::BY),
            date!(2026 - 06 - 16)
        );
        assert_eq!(
            Fristregel::Arbeitstage(10).frist_ab(date!(2026 - 06 - 01), Bundesland::BE),
            date!(2026 - 06 - 15)
        );
        assert_eq!(plus_monate(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
    }

    #[test]
    fn the_catalogue_picks_the_processing_time_per_leistung() {
        let k = Fristenkatalog {
            bundesland: Bundesland::NW,
            standard: Fristregel::Monate(3),
            je_leistung: [("99050012104000".to_string(), Fristregel::Arbeitstage(3))].into(),
            vorlauf_arbeitstage: 2,
        };
        // Gewerbeanzeige: 3 business days from Thursday 2 April 2026 (Easter in between).
        assert_eq!(
            k.frist("99050012104000", date!(2026 - 04 - 02)),
            date!(2026 - 04 - 09)
        );
        assert_eq!(
            k.frist("andere", date!(2026 - 04 - 02)),
            date!(2026 - 07 - 02)
        );
        assert_eq!(k.faellig_bis(date!(2026 - 04 - 02)), date!(2026 - 04 - 08));
        let json = serde_json::to_string(&k).unwrap();
        assert!(
            json.contains(r#"{"einheit":"monate","anzahl":3}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Fristenkatalog>(&json).unwrap(), k);
    }

    #[test]
    fn faellig_and_ueberfaellig_are_derived_from_deadline_and_wiedervorlage() {
        let heute = date!(2026 - 06 - 10); // Wednesday
        let l = Bundesland::BE;
        assert_eq!(
            faelligkeit(true, Some(date!(2026 - 06 - 09)), None, heute, 2, l),
            Faelligkeit::Ueberfaellig
        );
        assert_eq!(
            faelligkeit(true, Some(heute), None, heute, 0, l),
            Faelligkeit::Faellig
        );
        assert_eq!(
            faelligkeit(true, Some(date!(2026 - 06 - 12)), None, heute, 2, l),
            Faelligkeit::Faellig
        );
        assert_eq!(
            faelligkeit(true, Some(date!(2026 - 06 - 15)), None, heute, 2, l),
            Faelligkeit::Offen
        );
        assert_eq!(
            faelligkeit(true, None, Some(heute), heute, 0, l),
            Faelligkeit::Faellig
        );
        assert_eq!(
            faelligkeit(false, Some(date!(2020 - 01 - 01)), None, heute, 0, l),
            Faelligkeit::Offen
        );
        assert_eq!(Faelligkeit::Ueberfaellig.bezeichnung(), "überfällig");
    }

    fn katalog(vorlauf: u32) -> Fristenkatalog {
        Fristenkatalog {
            bundesland: Bundesland::NW,
            standard: Fristregel::Monate(3),
            je_leistung: Default::default(),
            vorlauf_arbeitstage: vorlauf,
        }
    }

    #[test]
    fn faellig_counts_the_lead_time_in_business_days_of_the_land() {
        // Wednesday 23 Dec 2026, NRW: 24 Dec, 25/26 Dec (holidays), the weekend; five business
        // days reach Thursday 31 Dec.
        let k = katalog(5);
        let heute = date!(2026 - 12 - 23);
        let st = k.stichtag(heute);
        assert_eq!(st.faellig_bis, date!(2026 - 12 - 31));
        assert_eq!(
            k.faelligkeit(true, Some(date!(2026 - 12 - 31)), None, heute),
            Faelligkeit::Faellig
        );
        // Seven calendar days would have ended on 30 Dec; 1 Jan is not fällig yet.
        assert_eq!(
            k.faelligkeit(true, Some(date!(2027 - 01 - 01)), None, heute),
            Faelligkeit::Offen
        );
    }

    #[test]
    fn the_catalogue_the_stichtag_and_the_free_function_give_the_same_answer() {
        let heute = date!(2026 - 06 - 10);
        for vorlauf in [0, 1, 5] {
            let k = katalog(vorlauf);
            for tage in -3..12 {
                let frist = heute + Duration::days(tage);
                for wv in [None, Some(heute), Some(heute + Duration::days(1))] {
                    for offen in [true, false] {
                        let a = k.faelligkeit(offen, Some(frist), wv, heute);
                        assert_eq!(a, k.stichtag(heute).faelligkeit(offen, Some(frist), wv));
                        assert_eq!(
                            a,
                            faelligkeit(offen, Some(frist), wv, heute, vorlauf, k.bundesland)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_faellig_view_is_named_after_the_catalogues_lead_time() {
        assert_eq!(katalog(5).faellig_bezeichnung(), "Fällig (5 Arbeitstage)");
        assert_eq!(katalog(1).faellig_bezeichnung(), "Fällig (1 Arbeitstag)");
        assert_eq!(katalog(0).faellig_bezeichnung(), "Fällig (heute)");
    }
}
