// Generated from crates/ipc by `cargo xtask bindings`. Do not edit by hand.

import type { ErrorCode } from './bindings';

/** Every code of `ipc::ErrorCode`: a rejection with another code is not from Rust. */
export const ERROR_CODES = ['profile_unavailable', 'key_unavailable', 'not_found', 'invalid_input', 'offline', 'internal'] as const satisfies readonly ErrorCode[];
