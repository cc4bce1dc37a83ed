//! Tauri commands. Each one locks the shared [`app::AppContext`] and forwards to it; no logic
//! lives here.

use std::sync::Mutex;

use app::AppContext;
use ipc::{AppInfo, ErrorCode, IpcError};

/// The app's state: the context, or why the profile could not be opened at start.
pub type Shared = Mutex<Result<AppContext, IpcError>>;

fn with_ctx<T>(
    state: &tauri::State<'_, Shared>,
    f: impl FnOnce(&AppContext) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let guard = state.lock().map_err(|_| {
        IpcError::new(
            ErrorCode::Internal,
            "Ein interner Fehler ist aufgetreten. Bitte starten Sie Amtsstube neu.",
        )
    })?;
    match guard.as_ref() {
        Ok(ctx) => f(ctx),
        Err(startup) => Err(startup.clone()),
    }
}

/// Version, profile path and connection mode.
#[tauri::command]
pub fn app_info(state: tauri::State<'_, Shared>) -> Result<AppInfo, IpcError> {
    with_ctx(&state, AppContext::app_info)
}
