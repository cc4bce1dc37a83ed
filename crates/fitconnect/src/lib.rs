//! FIT-Connect subscriber client (WIP).
#![deny(missing_docs)]

pub mod jose;
