//! Application core: the [`AppContext`] every UI command runs against, and the command bodies.
//!
//! The desktop shell (`src-tauri`) only glues: it builds one `AppContext` at start, keeps it in
//! Tauri state and forwards each command to a method here. Because command bodies take this
//! context and not `tauri::State`, tests call them directly with a temporary profile.
//!
//! To add a command: declare its types in the `ipc` crate, add a method on [`AppContext`]
//! returning `Result<_, ipc::IpcError>`, and forward to it from `src-tauri/src/commands.rs`.
#![deny(missing_docs)]

pub mod profile;

use std::path::{Path, PathBuf};

use ipc::{AppInfo, ConnectionMode, ErrorCode, IpcError};
pub use profile::{ConnectionConfig, ProfileError};

/// Product name as shown to people.
pub const PRODUCT: &str = "Amtsstube";

/// Everything a command needs: the profile and how the app is connected.
#[derive(Debug)]
pub struct AppContext {
    profile_dir: PathBuf,
    connection: ConnectionMode,
}

impl AppContext {
    /// Opens the profile at `profile_dir` (created if missing). Without a configured
    /// integration service the context is in Demo-Modus.
    pub fn open(profile_dir: &Path) -> Result<Self, ProfileError> {
        let profile_dir = profile::ensure_dir(profile_dir)?;
        let connection = match ConnectionConfig::load(&profile_dir)? {
            Some(cfg) => ConnectionMode::Live {
                base_url: cfg.base_url,
            },
            None => ConnectionMode::Demo {
                simulator_url: None,
            },
        };
        Ok(Self {
            profile_dir,
            connection,
        })
    }

    /// Records the address of the in-process simulator once it listens (Demo-Modus only).
    pub fn set_simulator_url(&mut self, url: String) {
        if let ConnectionMode::Demo { simulator_url } = &mut self.connection {
            *simulator_url = Some(url);
        }
    }

    /// Whether the app runs in Demo-Modus.
    pub fn is_demo(&self) -> bool {
        matches!(self.connection, ConnectionMode::Demo { .. })
    }

    /// The profile directory.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Command `app_info`: version, profile path and connection mode.
    pub fn app_info(&self) -> Result<AppInfo, IpcError> {
        Ok(AppInfo {
            product: PRODUCT.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            profile_dir: self.profile_dir.display().to_string(),
            connection: self.connection.clone(),
        })
    }
}

impl From<ProfileError> for IpcError {
    fn from(e: ProfileError) -> Self {
        IpcError::new(ErrorCode::ProfileUnavailable, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_profile_starts_in_demo_mode_and_reports_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = AppContext::open(&dir.path().join("profil")).unwrap();
        let info = ctx.app_info().unwrap();
        assert_eq!(info.product, "Amtsstube");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.profile_dir.ends_with("profil"));
        assert_eq!(
            info.connection,
            ConnectionMode::Demo {
                simulator_url: None
            }
        );
    }

    #[test]
    fn a_configured_integration_service_means_live_mode() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ConnectionConfig {
            base_url: "http://127.0.0.1:9/".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            destination_id: "d".into(),
            client_id: "c".into(),
        };
        cfg.save(dir.path()).unwrap();
        let ctx = AppContext::open(dir.path()).unwrap();
        assert!(!ctx.is_demo());
    }
}
