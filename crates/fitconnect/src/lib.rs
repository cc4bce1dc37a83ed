//! FIT-Connect for Amtsstube: the subscriber client of the Submission API (1.1.3), its JOSE,
//! the event log and the reply channel.
//!
//! # What is here
//! - [`jose`]: JWK (RSA), compact JWE `RSA-OAEP-256` + `A256GCM` (decrypt, and encrypt for the
//!   sender side), streaming JWE decryption for large attachments, compact JWS `PS512`. Written
//!   on aws-lc-rs; no third-party JOSE crate. Independent interop with the npm `jose` package is
//!   proven in `tests/interop.rs`.
//! - [`Client`] ([`client`]): OAuth2 client credentials (token cached, renewed 60 s before
//!   expiry, one renewal on 401), submissions for pickup (paged), a submission, attachments
//!   (`application/jose`, streamed with bounded memory above [`client::STREAM_THRESHOLD`]),
//!   destinations and their keys, `/v1/info`, `/.well-known/jwks.json`, the event log. The
//!   receive pipeline [`Client::receive`] decrypts, checks every SHA-512 hash, validates the
//!   metadata against the schema of their version and the form data against their Leistung's
//!   schema when it is known locally ([`metadata::FormSchemas`]).
//! - [`set`]: Security Event Tokens (`typ: secevent+jwt`, `PS512`, `kid`): `accept-submission`
//!   with the authentication tags of metadata, data and attachments; `reject-submission` with
//!   FIT-Connect problem types; verification of SETs read from a case's event log.
//! - [`sender`]: what an Onlinedienst does (seal and send); the simulator's applicant uses it.
//! - [`reply`]: the reply channel, isolated, with every assumption written down there.
//! - [`profile_keys`]: the profile's client secret and private keys in the OS keyring.
//! - [`Error`]: says whether a failure is permanent ([`Error::is_permanent`]) and how long the
//!   service asked us to wait ([`Error::retry_after`]); [`Error::rejection`] maps a defective
//!   submission to the problem to reject it with.
//!
//! # Extending
//! A new endpoint is a method on [`Client`] using `send`/`get_json` (token handling and error
//! classification come for free) plus its wire type in [`model`]. A new metadata version is a
//! schema in `schemas/` and an arm in [`metadata::version_of`].
#![deny(missing_docs)]

pub mod client;
mod error;
pub mod jose;
pub mod metadata;
pub mod model;
pub mod profile_keys;
pub mod reply;
pub mod sender;
pub mod set;

pub use client::{Client, Credentials, Received};
pub use error::{Error, NetworkKind};
