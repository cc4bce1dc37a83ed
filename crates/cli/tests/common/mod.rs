//! What the command-line tests share: running the `amtsstube` binary on a profile.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `amtsstube --profile PROFIL ARGS…` to its end (without a configured key file, so
/// the profile's key lives in the Secret Service the tests run in).
pub fn amtsstube(profil: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amtsstube"))
        .arg("--profile")
        .arg(profil)
        .args(args)
        .env_remove("AMTSSTUBE_KEY_FILE")
        .output()
        .expect("amtsstube startet")
}

/// Puts the demo authority's configuration (`behoerde.toml` and its form schemas) into
/// `profil`, as IT does for a connected profile.
#[allow(dead_code)]
pub fn behoerde_ablegen(profil: &Path) {
    behoerde::demo_ablegen(profil).unwrap();
}
