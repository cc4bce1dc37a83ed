//! A SoftHSM2 token holding a test PKI's seal key and certificates (Debian `softhsm2`), in a
//! temp dir with its own SOFTHSM2_CONF: for the Bescheid engine's and the app's PKCS#11 tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

use super::{Pki, tool, tool_env};

pub const PIN: &str = "4711-0815";

pub fn softhsm_modul() -> PathBuf {
    for p in [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("SoftHSM2 fehlt: apt-get install -y softhsm2");
}

/// A token "Siegeltoken" with the PKI's seal key (label "siegel") and both certificates.
pub fn token(pki: &Pki) -> (PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let conf_s = conf.to_str().unwrap().to_string();
    let env = [("SOFTHSM2_CONF", conf_s.as_str())];
    let o = tool_env(
        "softhsm2-util",
        "apt-get install -y softhsm2",
        &[
            "--init-token",
            "--free",
            "--label",
            "Siegeltoken",
            "--pin",
            PIN,
            "--so-pin",
            "12345678",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tool_env(
        "softhsm2-util",
        "apt-get install -y softhsm2",
        &[
            "--import",
            pki.pfad("seal.pk8.pem").to_str().unwrap(),
            "--token",
            "Siegeltoken",
            "--label",
            "siegel",
            "--id",
            "01",
            "--pin",
            PIN,
        ],
        &env,
    );
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // Certificates go in over PKCS#11 itself (softhsm2-util imports keys only).
    setze_softhsm_conf(&conf);
    let ctx = Pkcs11::new(softhsm_modul()).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim() == "Siegeltoken")
        .unwrap();
    let s = ctx.open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&AuthPin::from(PIN.to_string())))
        .unwrap();
    let pem_der = |name: &str| {
        let out = tool(
            "openssl",
            "apt-get install -y openssl",
            &[
                "x509",
                "-in",
                pki.pfad(name).to_str().unwrap(),
                "-outform",
                "DER",
            ],
        );
        out.stdout
    };
    for (label, id, der) in [
        ("siegel", vec![1u8], pem_der("seal.pem")),
        ("wurzel", vec![2u8], pem_der("root.pem")),
    ] {
        s.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id),
            Attribute::Subject(subject_der(&der)),
            Attribute::Value(der),
        ])
        .unwrap();
    }
    drop(s);
    ctx.finalize().unwrap();
    (conf, dir)
}

/// SOFTHSM2_CONF must be in the process environment when the module is loaded. All tests in
/// this file use the same variable name, so they run one after another (see `LOCK`).
pub fn setze_softhsm_conf(conf: &Path) {
    // `set_var` is unsafe in edition 2024 because another thread might read the environment
    // at the same time; the tests in this file hold LOCK, and no other thread reads it.
    #[allow(unsafe_code)]
    // SAFETY: see above; only this file's tests (serialised by LOCK) touch SOFTHSM2_CONF.
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", conf);
    }
}

fn subject_der(cert: &[u8]) -> Vec<u8> {
    use der::{Decode, Encode};
    x509_cert::Certificate::from_der(cert)
        .unwrap()
        .tbs_certificate()
        .subject()
        .to_der()
        .unwrap()
}
