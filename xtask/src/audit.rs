//! The dependency audit of `cargo xtask test`: `cargo deny` (licences, sources, bans — offline
//! and strict — and advisories) over the Rust tree, `npm audit` over the UI's packages.
//!
//! The advisory databases (RustSec for cargo deny, the npm registry's audit endpoint) come
//! from the network. When they are unreachable the step says so and does not fail; a stale
//! local copy of the RustSec database is used if there is one. `AMTSSTUBE_AUDIT_STRENG=1`
//! (for CI with network) turns "unreachable" into a failure.

use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::Value;

use super::{cargo, cmd, npm, root, step};

/// Environment variable: an unreachable advisory database fails the step.
const STRENG_ENV: &str = "AMTSSTUBE_AUDIT_STRENG";

fn streng() -> bool {
    std::env::var_os(STRENG_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// How an advisory check went.
#[derive(Debug, PartialEq)]
enum Befund {
    /// Checked, nothing found (or only what is below the threshold, as a note).
    Sauber(Option<String>),
    /// Checked, something found.
    Funde(String),
    /// The database could not be fetched.
    Unerreichbar(String),
}

/// cargo deny's answer to `check advisories`.
fn cargo_deny_befund(erfolg: bool, ausgabe: &str) -> Befund {
    let fund = [
        "error[vulnerability]",
        "error[unmaintained]",
        "error[unsound]",
        "error[yanked]",
    ]
    .iter()
    .any(|m| ausgabe.contains(m));
    if fund {
        return Befund::Funde(ausgabe.to_owned());
    }
    if erfolg {
        return Befund::Sauber(None);
    }
    let abruf = [
        "failed to fetch advisory database",
        "failed to clone",
        "unable to fetch",
        "Could not resolve host",
    ];
    match ausgabe
        .lines()
        .find(|z| abruf.iter().any(|m| z.contains(m)))
    {
        Some(z) => Befund::Unerreichbar(z.trim().to_owned()),
        None => Befund::Funde(ausgabe.to_owned()),
    }
}

/// `npm audit --json`'s answer: `Funde` when a vulnerability at `schwelle` or above is there.
fn npm_befund(json: &str, schwelle: &str) -> Befund {
    const STUFEN: [&str; 5] = ["info", "low", "moderate", "high", "critical"];
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        return Befund::Unerreichbar("keine lesbare Antwort von npm audit".into());
    };
    let Some(zahlen) = v.pointer("/metadata/vulnerabilities") else {
        let grund = v
            .get("message")
            .or_else(|| v.pointer("/error/summary"))
            .and_then(Value::as_str)
            .unwrap_or("npm audit lieferte keine Auswertung");
        return Befund::Unerreichbar(grund.to_owned());
    };
    let zahl = |s: &str| zahlen.get(s).and_then(Value::as_u64).unwrap_or(0);
    let ab = STUFEN.iter().position(|s| *s == schwelle).unwrap_or(0);
    let zusammen: Vec<String> = STUFEN
        .iter()
        .filter(|s| zahl(s) > 0)
        .map(|s| format!("{} {s}", zahl(s)))
        .collect();
    if STUFEN[ab..].iter().any(|s| zahl(s) > 0) {
        Befund::Funde(zusammen.join(", "))
    } else if zusammen.is_empty() {
        Befund::Sauber(None)
    } else {
        Befund::Sauber(Some(zusammen.join(", ")))
    }
}

/// Says that `was` went unchecked (or fails, in strict mode); returns the closing word.
fn unerreichbar(was: &str, grund: &str) -> Result<&'static str> {
    if streng() {
        bail!("{was}: Datenbank nicht erreichbar ({grund}), und {STRENG_ENV} ist gesetzt.");
    }
    println!(
        "    HINWEIS: {was} NICHT geprüft – die Datenbank der Sicherheitsmeldungen ist nicht erreichbar \
         ({grund}). Das ist ohne Netz erwartet und kein Fehler; prüfen Sie mit Netz erneut \
         (`cargo xtask audit`)."
    );
    Ok("NICHT geprüft (Datenbank nicht erreichbar)")
}

fn lokale_rustsec_db() -> bool {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")));
    home.map(|h| h.join("advisory-dbs"))
        .and_then(|d| std::fs::read_dir(d).ok())
        .is_some_and(|mut d| d.any(|e| e.is_ok_and(|e| e.path().join(".git").exists())))
}

fn cargo_deny_advisories() -> Result<()> {
    println!("\n==> cargo deny check advisories (RustSec)");
    let started = Instant::now();
    let laufen = |offline: bool| -> Result<(bool, String)> {
        let mut c = cmd(&cargo());
        c.arg("deny");
        if offline {
            c.arg("--offline");
        }
        let out = c.args(["check", "advisories"]).output()?;
        let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        Ok((out.status.success(), text))
    };
    let (ok, text) = laufen(false)?;
    let befund = match cargo_deny_befund(ok, &text) {
        Befund::Unerreichbar(grund) if lokale_rustsec_db() => {
            println!(
                "    RustSec-Datenbank nicht abrufbar ({grund}); geprüft wird mit der lokalen, \
                 möglicherweise veralteten Kopie."
            );
            let (ok, text) = laufen(true)?;
            cargo_deny_befund(ok, &text)
        }
        b => b,
    };
    let ende = match befund {
        Befund::Sauber(_) => "ok",
        Befund::Funde(text) => {
            eprintln!("{text}");
            bail!(
                "cargo deny meldet Sicherheitsprobleme in Rust-Abhängigkeiten (oben). Aktualisieren Sie \
                 die Abhängigkeit (cargo update -p NAME) oder tragen Sie eine begründete Ausnahme in \
                 deny.toml ([advisories] ignore) ein."
            );
        }
        Befund::Unerreichbar(grund) => unerreichbar("Rust-Abhängigkeiten (RustSec)", &grund)?,
    };
    println!(
        "<== cargo deny check advisories: {ende} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn npm_audit(nur_auslieferung: bool) -> Result<()> {
    let (was, schwelle) = if nur_auslieferung {
        (
            "UI-Pakete, die ausgeliefert werden (npm audit --omit=dev)",
            "moderate",
        )
    } else {
        ("alle UI-Pakete samt Werkzeugen (npm audit)", "high")
    };
    println!("\n==> {was}, Fehler ab Stufe {schwelle}");
    let started = Instant::now();
    let mut c = Command::new(npm());
    c.current_dir(root().join("ui")).args(["audit", "--json"]);
    if nur_auslieferung {
        c.arg("--omit=dev");
    }
    let out = c.output()?;
    let ende = match npm_befund(&String::from_utf8_lossy(&out.stdout), schwelle) {
        Befund::Sauber(hinweis) => {
            if let Some(h) = hinweis {
                println!(
                    "    Hinweis: gemeldet, aber unter der Schwelle: {h} (Einzelheiten: cd ui && npm audit)"
                );
            }
            "ok"
        }
        Befund::Funde(zahlen) => bail!(
            "npm audit meldet Sicherheitslücken ({zahlen}) in {was}. Einzelheiten: cd ui && npm audit{}; \
             beheben mit npm audit fix oder einer neueren Version in ui/package.json.",
            if nur_auslieferung { " --omit=dev" } else { "" }
        ),
        Befund::Unerreichbar(grund) => unerreichbar(was, &grund)?,
    };
    println!(
        "<== {was}: {ende} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The whole audit step.
pub fn abhaengigkeiten_pruefen() -> Result<()> {
    step(
        "cargo deny check licenses bans sources",
        cmd(&cargo()).args(["deny", "check", "licenses", "bans", "sources"]),
    )?;
    cargo_deny_advisories()?;
    npm_audit(true)?;
    npm_audit(false)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_rustsec_database_is_named_not_failed() {
        let text = "2026-12-04 [ERROR] failed to fetch advisory database https://example.invalid/db with cli: failed to clone";
        assert!(matches!(
            cargo_deny_befund(false, text),
            Befund::Unerreichbar(_)
        ));
    }

    #[test]
    fn a_vulnerability_fails_even_when_the_fetch_failed_too() {
        let text = "failed to fetch advisory database\nerror[vulnerability]: Use after free in foo";
        assert!(matches!(cargo_deny_befund(false, text), Befund::Funde(_)));
        assert_eq!(
            cargo_deny_befund(true, "advisories ok"),
            Befund::Sauber(None)
        );
        assert!(matches!(
            cargo_deny_befund(false, "error: some other failure"),
            Befund::Funde(_)
        ));
    }

    #[test]
    fn npm_audit_fails_at_its_threshold_and_notes_what_is_below() {
        let json = |low: u64, high: u64| {
            format!(
                r#"{{"auditReportVersion":2,"vulnerabilities":{{}},"metadata":{{"vulnerabilities":{{"info":0,"low":{low},"moderate":0,"high":{high},"critical":0,"total":{}}}}}}}"#,
                low + high
            )
        };
        assert_eq!(npm_befund(&json(0, 0), "moderate"), Befund::Sauber(None));
        assert_eq!(
            npm_befund(&json(2, 0), "moderate"),
            Befund::Sauber(Some("2 low".into()))
        );
        assert_eq!(
            npm_befund(&json(2, 1), "high"),
            Befund::Funde("2 low, 1 high".into())
        );
    }

    #[test]
    fn an_npm_audit_endpoint_error_is_unreachable() {
        let json = r#"{"message":"405 Method Not Allowed - POST …/-/npm/v1/security/advisories/bulk","statusCode":405}"#;
        assert!(
            matches!(npm_befund(json, "moderate"), Befund::Unerreichbar(g) if g.starts_with("405"))
        );
        assert!(matches!(
            npm_befund("", "moderate"),
            Befund::Unerreichbar(_)
        ));
    }
}
