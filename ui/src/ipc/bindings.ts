// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.

export type ErrorCode = "profile_unavailable" | "key_unavailable" | "not_found" | "invalid_input" | "offline" | "internal";

export type IpcError = { 
/**
 * What kind of error, for the UI to switch on.
 */
code: ErrorCode, 
/**
 * German text for the caseworker: what happened and what to do next.
 */
message: string, };

export type ConnectionMode = { "kind": "demo", 
/**
 * Base URL of the in-process simulator, once it runs.
 */
simulator_url: string | null, } | { "kind": "live", 
/**
 * Base URL of the submission API.
 */
base_url: string, };

export type AppInfo = { 
/**
 * Product name as shown in the header.
 */
product: string, 
/**
 * Version of the application (semver).
 */
version: string, 
/**
 * Absolute path of the profile directory (database, configuration).
 */
profile_dir: string, 
/**
 * Demo or live connection.
 */
connection: ConnectionMode, };
