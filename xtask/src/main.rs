//! `cargo xtask`: the project's own build tool (placeholder until the foundation lands).
fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::write(root.join(ipc::BINDINGS_PATH), ipc::typescript_bindings())?;
    Ok(())
}
