//! Seal verification.
/// Report.
#[derive(Debug)]
pub struct Pruefbericht;
/// Verify.
pub fn pruefen(_pdf: &[u8], _trust: &[Vec<u8>]) -> Result<Pruefbericht, crate::BescheidError> {
    Ok(Pruefbericht)
}
