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

/// Puts the demo authority's configuration (`assets/behoerden/demo`: `behoerde.toml` and its
/// form schemas) into `profil`, as IT does for a connected profile.
#[allow(dead_code)]
pub fn behoerde_ablegen(profil: &Path) {
    let quelle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/behoerden/demo");
    std::fs::create_dir_all(profil.join("formulare")).unwrap();
    std::fs::copy(quelle.join("behoerde.toml"), profil.join("behoerde.toml")).unwrap();
    for e in std::fs::read_dir(quelle.join("formulare")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), profil.join("formulare").join(e.file_name())).unwrap();
    }
}
