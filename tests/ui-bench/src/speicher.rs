//! Memory of a process tree, read from `/proc` (Linux): which processes belong to the app
//! (the app binary and every descendant: WebKitWebProcess, WebKitNetworkProcess, a sandbox
//! helper if WebKit uses one) and their PSS and RSS from `/proc/<pid>/smaps_rollup`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

/// One process and its memory.
#[derive(Debug, Clone)]
pub struct Prozess {
    /// Process id.
    pub pid: u32,
    /// Short name (`/proc/<pid>/comm`, at most 15 characters).
    pub name: String,
    /// Proportional set size in KiB.
    pub pss_kib: u64,
    /// Resident set size in KiB.
    pub rss_kib: u64,
    /// Unique set size (private clean + private dirty) in KiB: what ending it would free.
    pub uss_kib: u64,
}

/// Parent of every process currently in `/proc`.
fn eltern() -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may contain spaces and parentheses.
        let Some(rest) = stat.rfind(')').and_then(|i| stat.get(i + 1..)) else {
            continue;
        };
        if let Some(ppid) = rest
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok())
        {
            out.insert(pid, ppid);
        }
    }
    out
}

/// Every living descendant of `wurzel` (not `wurzel` itself), parents before children.
pub fn nachkommen(wurzel: u32) -> Vec<u32> {
    let eltern = eltern();
    let mut kinder: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&pid, &ppid) in &eltern {
        kinder.entry(ppid).or_default().push(pid);
    }
    let mut out = Vec::new();
    let mut offen = vec![wurzel];
    while let Some(p) = offen.pop() {
        if let Some(k) = kinder.get(&p) {
            for &c in k {
                out.push(c);
                offen.push(c);
            }
        }
    }
    out
}

/// The descendant of `wurzel` running the executable `exe`.
pub fn finde_programm(wurzel: u32, exe: &Path) -> Option<u32> {
    let ziel = exe.canonicalize().unwrap_or_else(|_| exe.to_path_buf());
    nachkommen(wurzel).into_iter().find(|pid| {
        std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| {
            // A rebuilt binary shows as "… (deleted)".
            let s = p.display().to_string();
            p == ziel || s.trim_end_matches(" (deleted)") == ziel.display().to_string()
        })
    })
}

fn kib(rollup: &str, feld: &str) -> u64 {
    rollup
        .lines()
        .find_map(|l| l.strip_prefix(feld))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// PSS and RSS of `pid`.
pub fn prozess(pid: u32) -> Result<Prozess> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .with_context(|| format!("/proc/{pid}/smaps_rollup"))?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(Prozess {
        pid,
        name,
        pss_kib: kib(&rollup, "Pss:"),
        rss_kib: kib(&rollup, "Rss:"),
        uss_kib: kib(&rollup, "Private_Clean:") + kib(&rollup, "Private_Dirty:"),
    })
}

/// The app process and all its descendants, with their memory (processes that end while
/// being read are left out).
pub fn baum(app: u32) -> Vec<Prozess> {
    std::iter::once(app)
        .chain(nachkommen(app))
        .filter_map(|p| prozess(p).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_rollup_fields_are_read_in_kib() {
        let r = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:              123456 kB\nPss:               78901 kB\nPss_Anon:  1 kB\n";
        assert_eq!(kib(r, "Rss:"), 123_456);
        assert_eq!(kib(r, "Pss:"), 78_901);
    }

    #[test]
    fn a_spawned_child_is_found_among_the_descendants_with_its_memory() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let me = std::process::id();
        let pid = child.id();
        assert!(nachkommen(me).contains(&pid));
        let p = prozess(pid).unwrap();
        assert_eq!(p.name, "sleep");
        assert!(p.rss_kib > 0 && p.pss_kib > 0 && p.pss_kib <= p.rss_kib);
        assert!(p.uss_kib > 0 && p.uss_kib <= p.pss_kib);
        let _ = child.kill();
        let _ = child.wait();
    }
}
