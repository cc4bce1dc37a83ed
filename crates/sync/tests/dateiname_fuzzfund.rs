//! Finding of the fuzz target `dateiname` (issue 18, `cargo xtask fuzz dateiname`): a long
//! applicant file name is shortened to 150 characters *after* leading and trailing dots and
//! spaces were removed, so the cut can leave a dot or a space at the end (`rechnung.` or
//! `rechnung `), which Windows silently drops when saving — the name the caseworker is offered
//! is then not the file that is written. Fixed: `sicherer_dateiname` trims the cut again; this
//! test failed before the fix and guards it.

#[test]
fn a_shortened_file_name_does_not_end_in_a_dot_or_a_space() {
    for rand in [".", " "] {
        // 140 letters, ten dots (or spaces), then a last part too long to be an extension.
        let name = format!("{}{}{}", "a".repeat(140), rand.repeat(10), "b".repeat(20));
        let sicher = sync::abruf::sicherer_dateiname(Some(&name), "anlage-1");
        assert!(sicher.chars().count() <= 150, "{sicher:?}");
        assert!(
            !sicher.ends_with(['.', ' ']),
            "endet mit {rand:?}: {sicher:?}"
        );
    }
}
