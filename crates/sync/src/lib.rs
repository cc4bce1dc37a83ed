//! The intake and outbox engine: every application exactly once, through crashes and faults.
//!
//! Design (after Atuin's record sync): **plan, then apply.** [`plan::plan`] is a pure function
//! from what this profile knows (the persisted [`domain::Eingangszustand`] of each submission
//! it has seen, and the FIT-Connect case ids of its Vorgänge) and the service's pickup list to
//! a sorted list of [`plan::Op`]s. It does no I/O, so every rule of the promise — never stored
//! twice, never accepted before durable, a failed rejection retried and not re-decided — is a
//! unit or property test on plain data. The apply step (next) carries the ops out one by one,
//! persisting each state before the next effect.
//!
//! To extend: a new situation is a new `Op` variant plus its row in `plan::plan`'s match; the
//! property tests in `plan` then check the invariants for it.
#![deny(missing_docs)]

pub mod plan;
