//! Process hardening that needs no window (issue 18).
//!
//! [`kernabbilder_verbieten`] keeps the database key and case data out of core dumps: on
//! Linux the core size limit is set to 0 (soft and hard, inherited by child processes) and
//! the process is marked not dumpable (`PR_SET_DUMPABLE` 0, which also keeps other processes
//! of the same user from attaching a debugger and reading its memory through `/proc`).
//! Elsewhere it does nothing (Windows writes no core dumps unless configured; Windows Error
//! Reporting's local dumps are an administrator's setting, see the README).
//!
//! The desktop app and the CLI call it first thing in `main`.

/// Forbids core dumps of this process (see the module doc). Returns what could not be set,
/// in German, so the caller can log it; the app runs on either way.
pub fn kernabbilder_verbieten() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )
        .map_err(|e| format!("Kernabbilder ließen sich nicht abschalten (RLIMIT_CORE: {e})."))?;
        set_dumpable_behavior(DumpableBehavior::NotDumpable).map_err(|e| {
            format!("Kernabbilder ließen sich nicht abschalten (PR_SET_DUMPABLE: {e}).")
        })?;
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Runs in a child process (the test binary again), so the test runner keeps its limits.
    #[test]
    fn core_dumps_are_off_after_the_call() {
        if std::env::var_os("AMTSSTUBE_TEST_KERNABBILD_KIND").is_some() {
            kernabbilder_verbieten().unwrap();
            let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
            let zeile = limits
                .lines()
                .find(|l| l.starts_with("Max core file size"))
                .unwrap();
            let felder: Vec<&str> = zeile.split_whitespace().collect();
            assert_eq!(&felder[4..6], ["0", "0"], "{zeile}");
            assert_eq!(
                rustix::process::dumpable_behavior().unwrap(),
                rustix::process::DumpableBehavior::NotDumpable
            );
            return;
        }
        let vorher = std::fs::read_to_string("/proc/self/limits").unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "haertung::tests::core_dumps_are_off_after_the_call",
                "--nocapture",
            ])
            .env("AMTSSTUBE_TEST_KERNABBILD_KIND", "1")
            .status()
            .unwrap();
        assert!(status.success(), "the child's checks failed");
        // The parent is untouched.
        assert_eq!(
            std::fs::read_to_string("/proc/self/limits").unwrap(),
            vorher
        );
    }
}
