//! The one contract between the desktop UI and Rust.
//!
//! Every type that crosses the Tauri IPC boundary is declared here, once, with `ts-rs`; the
//! TypeScript declarations in `ui/src/ipc/bindings.ts` are generated from these types by
//! [`typescript_bindings`] (`cargo xtask bindings`) and committed. The test
//! `committed_typescript_bindings_are_current` fails when they are stale, so the UI can never
//! drift from what Rust sends.
//!
//! Errors cross as [`IpcError`] `{ code, message }`: `code` is the closed enum [`ErrorCode`]
//! the UI switches on, `message` is German text a caseworker can act on.
//!
//! To add a command: declare its request and response types here (derive `TS`), add them to
//! [`typescript_bindings`], implement the body in the `app` crate on `AppContext`, expose it
//! in `src-tauri`, allow it in `src-tauri/capabilities/`, and regenerate the bindings.
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS};

/// Closed set of error codes the UI distinguishes. Add a code only when the UI needs to act
/// differently on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The profile directory or its database cannot be used.
    ProfileUnavailable,
    /// No key source for the encrypted store is usable.
    KeyUnavailable,
    /// The requested object does not exist.
    NotFound,
    /// The input was rejected; the message says which field and why.
    InvalidInput,
    /// The integration service could not be reached; worth retrying later.
    Offline,
    /// Anything else; the message says what to do next.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    /// What kind of error, for the UI to switch on.
    pub code: ErrorCode,
    /// German text for the caseworker: what happened and what to do next.
    pub message: String,
}

impl IpcError {
    /// Builds an error from a code and a German message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// How the app talks to an integration service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectionMode {
    /// No integration service configured: the built-in simulator runs in-process and the UI
    /// says clearly that this is a demonstration.
    Demo {
        /// Base URL of the in-process simulator, once it runs.
        simulator_url: Option<String>,
    },
    /// A real FIT-Connect integration service is configured.
    Live {
        /// Base URL of the submission API.
        base_url: String,
    },
}

/// Answer of `app_info`: what the app is and where it keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// Product name as shown in the header.
    pub product: String,
    /// Version of the application (semver).
    pub version: String,
    /// Absolute path of the profile directory (database, configuration).
    pub profile_dir: String,
    /// Demo or live connection.
    pub connection: ConnectionMode,
}

/// All TypeScript declarations of the contract, in one file's text.
pub fn typescript_bindings() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        ConnectionMode::decl(&cfg),
        AppInfo::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Where the generated bindings live, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/ipc/bindings.ts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_typescript_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(BINDINGS_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == typescript_bindings(),
            "{} is stale: run `cargo xtask bindings` and commit the result",
            path.display()
        );
    }

    #[test]
    fn errors_cross_as_code_and_message() {
        let e = IpcError::new(ErrorCode::NotFound, "Vorgang nicht gefunden.");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "Vorgang nicht gefunden."})
        );
    }
}
