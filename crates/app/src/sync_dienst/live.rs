//! The connected profile's engine: `connection.json`, the client secret and the profile keys
//! from the keyring, as `amtsstube connect` left them (the same engine as `amtsstube sync`).

use std::sync::Arc;

use fitconnect::profile_keys::ProfileKeys;
use ipc::{ErrorCode, IpcError};
use store::Store;
use sync::{Engine, Konfiguration};

use super::{Kern, intern};

/// The engine of the connected profile of `kern`.
pub(super) async fn engine(kern: &Kern) -> Result<Engine, IpcError> {
    let conn =
        crate::ConnectionConfig::load_mit(&kern.profil, &kern.richtlinie)?.ok_or_else(|| {
            IpcError::new(
                ErrorCode::ProfileUnavailable,
                "Dieses Profil ist mit keinem Zustelldienst verbunden. Richten Sie die Verbindung \
             mit `amtsstube connect` ein.",
            )
        })?;
    let profil = kern.profil.clone();
    let secret =
        tokio::task::spawn_blocking(move || fitconnect::profile_keys::load_client_secret(&profil))
            .await
            .map_err(|e| intern(format!("Client-Secret: {e}")))?
            .map_err(|e| {
                IpcError::new(
                    ErrorCode::KeyUnavailable,
                    format!(
                        "Das Client-Secret ist nicht lesbar ({e}). Prüfen Sie den Schlüsselbund."
                    ),
                )
            })?
            .ok_or_else(|| {
                IpcError::new(
                    ErrorCode::KeyUnavailable,
                    "Das Client-Secret fehlt im Schlüsselbund. Richten Sie die Verbindung mit \
             `amtsstube connect` neu ein.",
                )
            })?;
    let keys = kern.profil_schluessel(false).await?;
    let transport = crate::ConnectionConfig::transport(&kern.profil)
        .map_err(|e| intern(format!("Verbindung zum Zustelldienst: {e}")))?;
    engine_fuer_verbindung(
        &conn,
        secret,
        transport,
        keys,
        kern.store.clone(),
        &kern.behoerde,
        Konfiguration::fuer_behoerde(&kern.behoerde),
    )
    .map_err(|e| intern(format!("Verbindung zum Zustelldienst: {e}")))
}

/// The sync engine of a profile connected to an integration service: the one place that
/// builds it from the profile's connection, client secret and keys, for the app's background
/// sync and for `amtsstube sync`. Form data are validated against the form schemas of the
/// authority's Leistungen; schemas it does not know are accepted unvalidated
/// ([`fitconnect::metadata::FormSchemas`]). `cfg` is normally
/// [`Konfiguration::fuer_behoerde`] (Aktenzeichen and Fristen of the same authority).
pub fn engine_fuer_verbindung(
    conn: &crate::ConnectionConfig,
    client_secret: String,
    transport: fitconnect::client::Transport,
    keys: ProfileKeys,
    store: Arc<Store>,
    behoerde: &behoerde::Behoerde,
    cfg: Konfiguration,
) -> Result<Engine, fitconnect::Error> {
    // `transport` carries the pinned CA of `connection.json` (`ca_datei`), if any.
    let client = fitconnect::Client::with_transport(
        &conn.base_url,
        fitconnect::Credentials {
            token_url: conn.token_url.clone(),
            client_id: conn.client_id.clone(),
            client_secret,
            scope: None,
        },
        transport,
    )?;
    Ok(Engine::new(
        store,
        client,
        keys,
        conn.destination_id.clone(),
        sync::formularschemas(behoerde),
        cfg,
    ))
}
