//! Logging of Amtsstube (issue 19): where log lines go, at which level, and what they may say.
//!
//! [`einrichten`] installs the process's one `tracing` subscriber:
//!
//! * **Files in the profile**: `<profil>/protokolle/<programm>.log`, rotated by size
//!   ([`RotierendeDatei`]: at [`DATEI_GRENZE`] the file becomes `.log.1`, the older ones move
//!   up, at most [`BEHALTEN`] old files stay; so one program keeps at most about 10 MiB). One
//!   file per program (`amtsstube-desktop`, `amtsstube`), so the app and a CLI never rotate
//!   each other's file. Unix: the files are created `0600`.
//! * **The journal** on Linux, when journald is reachable (`journalctl -t amtsstube-desktop`);
//!   no journal is no error.
//! * **The level**: the policy's `protokollstufe` (error, warn, info, debug, trace, or the
//!   German fehler, warnung, info, debug, trace); without a policy `info`.
//!
//! **What a line may say**: ids (case id, submission id, outbox id, run id), counts,
//! durations, problem types and error texts of the service or the file system. Never a name,
//! an address, a form value, a file name an applicant chose or a note: the e2e session scans
//! every file of the profile (the log files among them) for the applicant names and a typed
//! note. A sync pass runs in the span [`lauf`] (`sync{lauf=<uuid>}`), so every line of one
//! pass carries the same run id and can be followed through the file.
//!
//! To add a destination: a further layer in [`einrichten`]; to log from a crate: use
//! `tracing::info!` etc. and keep to the rule above.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Size at which a log file is rotated.
pub const DATEI_GRENZE: u64 = 2 * 1024 * 1024;
/// How many rotated files (`.log.1` … `.log.N`) are kept.
pub const BEHALTEN: usize = 4;
/// The log directory inside the profile.
pub const ORDNER: &str = "protokolle";

/// The level of a policy's `protokollstufe` (English or German names, any case).
pub fn stufe_lesen(text: &str) -> Result<LevelFilter, String> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "aus" | "off" => LevelFilter::OFF,
        "fehler" | "error" => LevelFilter::ERROR,
        "warnung" | "warn" | "warning" => LevelFilter::WARN,
        "info" => LevelFilter::INFO,
        "debug" => LevelFilter::DEBUG,
        "trace" | "ablauf" => LevelFilter::TRACE,
        anders => {
            return Err(format!(
                "„{anders}“ ist keine Protokollstufe (erlaubt: fehler, warnung, info, debug, trace, aus)"
            ));
        }
    })
}

/// A log file that rotates by size. Each `write` is one formatted line (tracing's fmt layer
/// writes an event in one call), so a line is never split across two files.
pub struct RotierendeDatei {
    pfad: PathBuf,
    grenze: u64,
    behalten: usize,
    zustand: Mutex<Zustand>,
}

struct Zustand {
    datei: Option<File>,
    groesse: u64,
}

impl RotierendeDatei {
    /// Opens (or creates) `pfad` for appending; rotates at `grenze` bytes, keeps `behalten`
    /// old files.
    pub fn oeffnen(pfad: &Path, grenze: u64, behalten: usize) -> io::Result<Self> {
        if let Some(d) = pfad.parent() {
            std::fs::create_dir_all(d)?;
        }
        let datei = anhaengen(pfad)?;
        let groesse = datei.metadata()?.len();
        Ok(Self {
            pfad: pfad.to_path_buf(),
            grenze: grenze.max(1),
            behalten,
            zustand: Mutex::new(Zustand {
                datei: Some(datei),
                groesse,
            }),
        })
    }

    /// The current file.
    pub fn pfad(&self) -> &Path {
        &self.pfad
    }

    /// The path of the `n`-th old file (`<pfad>.n`).
    pub fn alt(&self, n: usize) -> PathBuf {
        let mut s = self.pfad.clone().into_os_string();
        s.push(format!(".{n}"));
        PathBuf::from(s)
    }

    fn drehen(&self, z: &mut Zustand) -> io::Result<()> {
        z.datei = None;
        if self.behalten == 0 {
            let _ = std::fs::remove_file(&self.pfad);
        } else {
            let _ = std::fs::remove_file(self.alt(self.behalten));
            for n in (1..self.behalten).rev() {
                let von = self.alt(n);
                if von.exists() {
                    std::fs::rename(&von, self.alt(n + 1))?;
                }
            }
            std::fs::rename(&self.pfad, self.alt(1))?;
        }
        z.datei = Some(anhaengen(&self.pfad)?);
        z.groesse = 0;
        Ok(())
    }

    fn schreiben(&self, buf: &[u8]) -> io::Result<usize> {
        let mut z = self
            .zustand
            .lock()
            .map_err(|_| io::Error::other("Protokolldatei gesperrt"))?;
        if z.groesse > 0 && z.groesse + buf.len() as u64 > self.grenze {
            // A failed rotation (the directory went away …) keeps writing where it can.
            if let Err(e) = self.drehen(&mut z) {
                if z.datei.is_none() {
                    z.datei = anhaengen(&self.pfad).ok();
                }
                if z.datei.is_none() {
                    return Err(e);
                }
            }
        }
        let datei = z
            .datei
            .as_mut()
            .ok_or_else(|| io::Error::other("Protokolldatei nicht offen"))?;
        datei.write_all(buf)?;
        z.groesse += buf.len() as u64;
        Ok(buf.len())
    }
}

fn anhaengen(pfad: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(pfad)
}

/// What tracing's fmt layer writes through: one handle per event.
pub struct Schreiber(Arc<RotierendeDatei>);

impl Write for Schreiber {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.schreiben(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A [`RotierendeDatei`] shared with tracing's fmt layer.
#[derive(Clone)]
pub struct Geteilt(pub Arc<RotierendeDatei>);

impl<'a> MakeWriter<'a> for Geteilt {
    type Writer = Schreiber;
    fn make_writer(&'a self) -> Self::Writer {
        Schreiber(self.0.clone())
    }
}

/// Where this process logs, as [`einrichten`] set it up.
#[derive(Debug, Clone)]
pub struct Eingerichtet {
    /// The current log file.
    pub datei: PathBuf,
    /// Whether lines also go to the journal.
    pub journal: bool,
    /// The level.
    pub stufe: LevelFilter,
}

/// Installs the process's subscriber: the rotating file `<profil>/protokolle/<programm>.log`,
/// the journal on Linux when reachable, at `stufe` (from the policy; `None`: info). A second
/// call in the same process (tests) keeps the first subscriber and says so in `Err`.
pub fn einrichten(
    profil: &Path,
    programm: &str,
    stufe: Option<LevelFilter>,
) -> Result<Eingerichtet, String> {
    let stufe = stufe.unwrap_or(LevelFilter::INFO);
    let pfad = profil.join(ORDNER).join(format!("{programm}.log"));
    let datei = RotierendeDatei::oeffnen(&pfad, DATEI_GRENZE, BEHALTEN)
        .map_err(|e| format!("Protokolldatei {} nicht nutzbar: {e}", pfad.display()))?;
    let datei_schicht = tracing_subscriber::fmt::layer()
        .with_writer(Geteilt(Arc::new(datei)))
        .with_ansi(false)
        .with_target(true);
    #[cfg(target_os = "linux")]
    let journal = tracing_journald::layer()
        .ok()
        .map(|l| l.with_syslog_identifier(programm.to_owned()));
    #[cfg(not(target_os = "linux"))]
    let journal: Option<tracing_subscriber::layer::Identity> = None;
    let mit_journal = journal.is_some();
    tracing_subscriber::registry()
        .with(stufe)
        .with(datei_schicht)
        .with(journal)
        .try_init()
        .map_err(|e| format!("Protokollierung war schon eingerichtet: {e}"))?;
    Ok(Eingerichtet {
        datei: pfad,
        journal: mit_journal,
        stufe,
    })
}

/// The span of one sync pass, with a fresh run id: every line logged inside it carries
/// `lauf=<uuid>`.
pub fn lauf(art: &'static str) -> tracing::Span {
    tracing::info_span!("sync", art, lauf = %uuid::Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_rotates_at_its_limit_and_keeps_only_the_newest_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("protokolle").join("x.log");
        let d = RotierendeDatei::oeffnen(&p, 100, 2).unwrap();
        let zeile = |i: usize| format!("zeile {i:03} {}\n", "x".repeat(30));
        for i in 0..12 {
            d.schreiben(zeile(i).as_bytes()).unwrap();
        }
        // 40-byte lines, 2 per file: 12 lines = 6 files, of which the current and 2 old stay.
        let lesen = |p: &Path| std::fs::read_to_string(p).unwrap();
        assert_eq!(lesen(&p), format!("{}{}", zeile(10), zeile(11)));
        assert_eq!(lesen(&d.alt(1)), format!("{}{}", zeile(8), zeile(9)));
        assert_eq!(lesen(&d.alt(2)), format!("{}{}", zeile(6), zeile(7)));
        assert!(!d.alt(3).exists());
        for f in [p.clone(), d.alt(1), d.alt(2)] {
            assert!(std::fs::metadata(&f).unwrap().len() <= 100, "{f:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_gets_a_file_of_its_own_and_is_not_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("y.log");
        let d = RotierendeDatei::oeffnen(&p, 10, 1).unwrap();
        d.schreiben(b"kurz\n").unwrap();
        d.schreiben(b"eine sehr lange Zeile\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"eine sehr lange Zeile\n");
        assert_eq!(std::fs::read(d.alt(1)).unwrap(), b"kurz\n");
    }

    #[test]
    fn reopening_continues_the_file_and_counts_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("z.log");
        RotierendeDatei::oeffnen(&p, 20, 1)
            .unwrap()
            .schreiben(b"0123456789abcdef\n")
            .unwrap();
        let d = RotierendeDatei::oeffnen(&p, 20, 1).unwrap();
        d.schreiben(b"neu\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"neu\n");
        assert_eq!(std::fs::read(d.alt(1)).unwrap(), b"0123456789abcdef\n");
    }

    #[test]
    fn levels_are_read_in_english_and_german_and_anything_else_is_named() {
        assert_eq!(stufe_lesen("Warnung"), Ok(LevelFilter::WARN));
        assert_eq!(stufe_lesen("debug"), Ok(LevelFilter::DEBUG));
        assert_eq!(stufe_lesen(" fehler "), Ok(LevelFilter::ERROR));
        assert_eq!(stufe_lesen("aus"), Ok(LevelFilter::OFF));
        let e = stufe_lesen("laut").unwrap_err();
        assert!(e.contains("„laut“"), "{e}");
    }
}
