#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Strict transport: no plaintext HTTP to another machine, no redirect that could carry the
//! client secret or the token elsewhere, only certificates of trusted (or pinned) CAs, and no
//! answer body larger than the client reads.
//!
//! The servers here are a few lines of raw HTTP/1.1 on 127.0.0.1 (over TLS where needed), so
//! each test controls exactly what the service answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fitconnect::client::Transport;
use fitconnect::{Client, Credentials, Error};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

fn creds(token_url: &str) -> Credentials {
    Credentials {
        token_url: token_url.into(),
        client_id: "client-transport".into(),
        client_secret: "GEHEIM-transport-4711".into(),
        scope: None,
    }
}

/// What a test server answers to one request (its full text: head and body).
type Answer = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// Reads one HTTP/1.1 request (head and, by `Content-Length`, body).
async fn read_request(s: &mut (impl AsyncRead + Unpin)) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await.ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(String::from_utf8_lossy(&buf).into_owned());
        }
    }
}

async fn serve_conn(
    mut s: impl AsyncRead + AsyncWrite + Unpin,
    log: Arc<Mutex<Vec<String>>>,
    answer: Answer,
) {
    while let Some(req) = read_request(&mut s).await {
        log.lock().unwrap().push(req.clone());
        let out = answer(&req);
        if s.write_all(&out).await.is_err() {
            return;
        }
        let _ = s.flush().await;
    }
}

/// A plain HTTP server on 127.0.0.1; returns its port and the requests it received.
async fn server(answer: Answer) -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(serve_conn(s, log2.clone(), answer.clone()));
        }
    });
    (port, log)
}

fn http(status: &str, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

const TOKEN: &str =
    r#"{"access_token":"TOKEN-transport-4711","token_type":"Bearer","expires_in":3600}"#;

#[test]
fn plaintext_http_is_refused_for_another_machine_and_allowed_only_on_loopback() {
    for (base, token) in [
        (
            "http://zustelldienst.example.invalid",
            "https://auth.example.invalid/token",
        ),
        (
            "https://zustelldienst.example.invalid",
            "http://auth.example.invalid/token",
        ),
        ("http://10.1.2.3:8080", "https://auth.example.invalid/token"),
        (
            "ftp://zustelldienst.example.invalid",
            "https://auth.example.invalid/token",
        ),
    ] {
        let e = Client::new(base, creds(token)).unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, Error::UnsafeUrl { .. }),
            "{base} {token}: {e:?}"
        );
        assert!(text.contains("https://"), "{text}");
        assert!(text.contains("amtsstube connect"), "{text}");
    }
    for base in [
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://[::1]:9",
        "https://zustelldienst.example.invalid",
    ] {
        Client::new(base, creds("http://127.0.0.1:9/token")).unwrap();
    }
}

#[tokio::test]
async fn a_redirect_of_the_token_endpoint_is_not_followed_and_the_secret_stays_home() {
    let (fremd, fremd_log) = server(Arc::new(|_| http("200 OK", &[], TOKEN))).await;
    let ziel = format!("http://127.0.0.1:{fremd}/token");
    let (port, _) = server(Arc::new(move |_| {
        http("307 Temporary Redirect", &[("location", ziel.clone())], "")
    }))
    .await;
    let c = Client::new(
        &format!("http://127.0.0.1:{port}"),
        creds(&format!("http://127.0.0.1:{port}/token")),
    )
    .unwrap();
    let e = c.submission("s-1").await.unwrap_err();
    assert!(
        fremd_log.lock().unwrap().is_empty(),
        "{:?}",
        fremd_log.lock().unwrap()
    );
    assert!(matches!(e, Error::Redirect { .. }), "{e:?}");
    assert!(e.to_string().contains("Umleitung"), "{e}");
    assert!(e.is_permanent());
}

#[tokio::test]
async fn a_redirect_of_an_api_call_to_another_port_is_not_followed() {
    let (fremd, fremd_log) = server(Arc::new(|_| http("200 OK", &[], "{}"))).await;
    let ziel = format!("http://127.0.0.1:{fremd}/v1/submissions/s-1");
    let (port, _) = server(Arc::new(move |req: &str| {
        if req.starts_with("POST /token") {
            http(
                "200 OK",
                &[("content-type", "application/json".into())],
                TOKEN,
            )
        } else {
            http("302 Found", &[("location", ziel.clone())], "")
        }
    }))
    .await;
    let c = Client::new(
        &format!("http://127.0.0.1:{port}"),
        creds(&format!("http://127.0.0.1:{port}/token")),
    )
    .unwrap();
    let e = c.submission("s-1").await.unwrap_err();
    let fremd_log = fremd_log.lock().unwrap();
    assert!(
        !fremd_log
            .iter()
            .any(|r| r.to_lowercase().contains("authorization")),
        "the token went to another server: {fremd_log:?}"
    );
    assert!(fremd_log.is_empty(), "{fremd_log:?}");
    assert!(matches!(e, Error::Redirect { .. }), "{e:?}");
}

async fn endless_server(with_length: bool) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                while let Some(req) = read_request(&mut s).await {
                    if req.starts_with("POST /token") {
                        let _ = s.write_all(&http("200 OK", &[], TOKEN)).await;
                        continue;
                    }
                    let head = if with_length {
                        "HTTP/1.1 200 OK\r\ncontent-length: 107374182400\r\n\r\n"
                    } else {
                        "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n"
                    };
                    if s.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let _ = s.write_all(b"{\"submissionId\":\"").await;
                    let block = vec![b'A'; 64 * 1024];
                    // Without end: only the client stopping to read ends this.
                    while s.write_all(&block).await.is_ok() {}
                    return;
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn an_oversized_submission_body_is_refused_without_reading_it_whole() {
    for with_length in [true, false] {
        let port = endless_server(with_length).await;
        let c = Client::with_transport(
            &format!("http://127.0.0.1:{port}"),
            creds(&format!("http://127.0.0.1:{port}/token")),
            Transport {
                max_json: 1024 * 1024,
                ..Transport::default()
            },
        )
        .unwrap();
        let e = tokio::time::timeout(Duration::from_secs(20), c.submission("s-1"))
            .await
            .expect("the client stops reading at the bound")
            .unwrap_err();
        assert!(matches!(e, Error::ResponseTooLarge { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("get-submission") && text.contains("1048576"),
            "{text}"
        );
        assert!(e.is_permanent());
    }
    // The bound that applies without configuration is the documented one.
    assert_eq!(Transport::default().max_json, fitconnect::client::MAX_JSON);
}

/// An authority's own CA (self-signed) and a certificate for `localhost` it issued, made
/// with the openssl command line: (CA certificate, server certificate, server key), PEM.
fn own_ca(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Amtsstube Test-CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.pem",
    ]);
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    (read("ca.pem"), read("server.pem"), read("server.key"))
}

async fn tls_server(cert_pem: &[u8], key_pem: &[u8]) -> (u16, Arc<Mutex<Vec<String>>>) {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let answer: Answer = Arc::new(|req: &str| {
        if req.starts_with("GET /v1/info") {
            http(
                "200 OK",
                &[],
                r#"{"version":{"major":1,"minor":1,"patch":3}}"#,
            )
        } else {
            http("404 Not Found", &[], "")
        }
    });
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let acceptor = acceptor.clone();
            let (log, answer) = (log2.clone(), answer.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(s).await {
                    serve_conn(tls, log, answer).await;
                }
            });
        }
    });
    (port, log)
}

#[tokio::test]
async fn a_service_certificate_of_an_own_ca_is_refused_unless_the_ca_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = own_ca(dir.path());
    let (port, log) = tls_server(&cert, &key).await;
    let base = format!("https://localhost:{port}");
    let token = format!("https://localhost:{port}/token");

    let ungepinnt = Client::new(&base, creds(&token)).unwrap();
    let e = ungepinnt.info().await.unwrap_err();
    assert!(matches!(e, Error::Certificate { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("Zertifikat"), "{text}");
    assert!(
        text.contains("unbekannten") || text.contains("selbst signiert"),
        "{text}"
    );
    assert!(text.contains("ca_datei"), "{text}");
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing was sent over the refused connection"
    );

    let gepinnt = Client::with_transport(
        &base,
        creds(&token),
        Transport {
            ca_pem: Some(ca.clone()),
            ..Transport::default()
        },
    )
    .unwrap();
    gepinnt.info().await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 1);

    let kaputt = Client::with_transport(
        &base,
        creds(&token),
        Transport {
            ca_pem: Some(b"kein Zertifikat".to_vec()),
            ..Transport::default()
        },
    )
    .unwrap_err();
    assert!(matches!(kaputt, Error::CaFile(_)), "{kaputt:?}");
}
