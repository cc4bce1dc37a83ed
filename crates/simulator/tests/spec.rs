#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every response of every endpoint the simulator implements from `submission-api.yaml`
//! (1.1.3, kept in `../shared/specs`) validates against the schema the spec names for that
//! operation, status and content type — success and error answers alike — and its status is
//! one the spec documents for the operation.

use std::path::PathBuf;
use std::sync::OnceLock;

use fitconnect::jose::{EncryptionKeyPair, SigningKeyPair};
use reqwest::Method;
use serde_json::{Value, json};
use simulator::{SimConfig, Simulator};

fn spec() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/specs/submission-api.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{} fehlt ({e}): das Projektverzeichnis shared/ muss neben dem Repository liegen",
                path.display()
            )
        });
        serde_norway::from_str(&text).unwrap()
    })
}

struct Checked {
    status: u16,
    body: Vec<u8>,
    json: Value,
}

/// Validates one response against the spec's schema for `operation` and returns it.
fn validate(path: &str, method: &str, status: u16, content_type: &str, body: &[u8]) -> Value {
    let op = &spec()["paths"][path][method];
    assert!(op.is_object(), "{method} {path} not in the spec");
    let resp = &op["responses"][status.to_string()];
    assert!(
        resp.is_object(),
        "{method} {path}: status {status} is not documented in the spec"
    );
    let Some(content) = resp.get("content") else {
        assert!(
            body.is_empty(),
            "{method} {path} {status}: spec says no body"
        );
        return Value::Null;
    };
    let media = content_type.split(';').next().unwrap().trim();
    let schema = &content[media]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status}: content type {media} not in the spec ({content})"
    );
    let instance: Value = if media == "application/jose" {
        Value::String(String::from_utf8(body.to_vec()).unwrap())
    } else {
        serde_json::from_slice(body).unwrap()
    };
    let mut doc = schema.clone();
    doc.as_object_mut()
        .unwrap()
        .insert("components".into(), spec()["components"].clone());
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&doc)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} violates the spec: {errors:?}\n{instance}"
    );
    instance
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn token(&self, id: &str, secret: &str) -> String {
        let r: Value = self
            .http
            .post(format!("{}/token", self.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["access_token"].as_str().unwrap().to_owned()
    }

    /// Calls `method url` and validates the answer against the spec's `template` path.
    async fn call(
        &self,
        method: Method,
        template: &str,
        url: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Checked {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{url}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some((ct, b)) = body {
            req = req.header("content-type", ct).body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = resp.bytes().await.unwrap().to_vec();
        let json = validate(
            template,
            &method.as_str().to_lowercase(),
            status,
            &ct,
            &body,
        );
        Checked { status, body, json }
    }
}

fn j(v: &Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", serde_json::to_vec(v).unwrap()))
}

#[tokio::test]
async fn every_implemented_endpoint_answers_as_the_submission_api_spec_says() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let info = sim.info().clone();
    let api = Api {
        http: reqwest::Client::new(),
        base: info.base_url.clone(),
    };
    let dest = info.destination_id.clone();
    let sub_t = api
        .token(&info.subscriber.client_id, &info.subscriber.client_secret)
        .await;
    let send_t = api
        .token(&info.sender.client_id, &info.sender.client_secret)
        .await;
    let d_path = "/v1/destinations/{destinationId}";
    let s_path = "/v1/submissions/{submissionId}";
    let a_path = "/v1/submissions/{submissionId}/attachments/{attachmentId}";
    let e_path = "/v1/cases/{caseId}/events";

    // Technical endpoints.
    assert_eq!(
        api.call(Method::GET, "/v1/info", "/v1/info", None, None)
            .await
            .status,
        200
    );
    let jwks = api
        .call(
            Method::GET,
            "/.well-known/jwks.json",
            "/.well-known/jwks.json",
            None,
            None,
        )
        .await;
    assert_eq!(jwks.status, 200);

    // Destination before keys; unauthorised and unknown.
    let d = api
        .call(
            Method::GET,
            d_path,
            &format!("/v1/destinations/{dest}"),
            Some(&send_t),
            None,
        )
        .await;
    assert_eq!(
        (d.status, d.json["status"].as_str()),
        (200, Some("created"))
    );
    let u = api
        .call(
            Method::GET,
            d_path,
            &format!("/v1/destinations/{dest}"),
            Some("nope"),
            None,
        )
        .await;
    assert_eq!(u.status, 401);
    let nf = api
        .call(
            Method::GET,
            d_path,
            "/v1/destinations/00000000-0000-4000-8000-000000000000",
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(nf.status, 404);

    // Keys: a short key is refused, 4096-bit keys are registered, then the destination patched.
    let enc = EncryptionKeyPair::generate("spec-enc-00000001").unwrap();
    let sig = SigningKeyPair::generate("spec-sig-00000001").unwrap();
    let small =
        EncryptionKeyPair::generate_sized("spec-small-0001", aws_lc_rs::rsa::KeySize::Rsa2048)
            .unwrap();
    let k_path = "/v1/destinations/{destinationId}/keys";
    let keys_url = format!("/v1/destinations/{dest}/keys");
    let r = api
        .call(
            Method::POST,
            k_path,
            &keys_url,
            Some(&sub_t),
            j(&json!(small.public_jwk().unwrap())),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .call(
            Method::POST,
            k_path,
            &keys_url,
            Some(&send_t),
            j(&json!(enc.public_jwk().unwrap())),
        )
        .await;
    assert_eq!(r.status, 403);
    for jwk in [enc.public_jwk().unwrap(), sig.public_jwk()] {
        let r = api
            .call(
                Method::POST,
                k_path,
                &keys_url,
                Some(&sub_t),
                j(&json!(jwk)),
            )
            .await;
        assert_eq!(r.status, 201);
        let got = api
            .call(
                Method::GET,
                "/v1/destinations/{destinationId}/keys/{keyId}",
                &format!("{keys_url}/{}", jwk.kid),
                None,
                None,
            )
            .await;
        assert_eq!(got.json["n"], json!(jwk.n));
    }
    let p = api
        .call(
            Method::PATCH,
            d_path,
            &format!("/v1/destinations/{dest}"),
            Some(&sub_t),
            j(&json!({"encryptionKid": enc.kid(), "status": "active"})),
        )
        .await;
    assert_eq!(p.status, 200);

    // Sender: create, upload, submit — and the refusals on the way.
    let key = enc.public_jwk().unwrap();
    let app = simulator::applicant::application(9, 0).unwrap();
    let sealed = fitconnect::sender::seal(&dest, &key, &app.outgoing).unwrap();
    let mut bad_service = serde_json::to_value(&sealed.create).unwrap();
    bad_service["serviceType"]["identifier"] = json!("urn:de:fim:leika:leistung:00000000000000");
    let r = api
        .call(
            Method::POST,
            "/v1/submissions",
            "/v1/submissions",
            Some(&send_t),
            j(&bad_service),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = api
        .call(
            Method::POST,
            "/v1/submissions",
            "/v1/submissions",
            Some(&sub_t),
            j(&json!(sealed.create)),
        )
        .await;
    assert_eq!(r.status, 403);
    let created = api
        .call(
            Method::POST,
            "/v1/submissions",
            "/v1/submissions",
            Some(&send_t),
            j(&json!(sealed.create)),
        )
        .await;
    assert_eq!(created.status, 201);
    let sid = created.json["submissionId"].as_str().unwrap().to_owned();
    let case = created.json["caseId"].as_str().unwrap().to_owned();
    let submit = j(&json!(sealed.submit));
    let r = api
        .call(
            Method::PUT,
            s_path,
            &format!("/v1/submissions/{sid}"),
            Some(&send_t),
            submit.clone(),
        )
        .await;
    assert_eq!(r.status, 422, "announced attachments missing");
    let (aid, ajwe) = &sealed.attachments[0];
    let r = api
        .call(
            Method::PUT,
            a_path,
            &format!("/v1/submissions/{sid}/attachments/{aid}"),
            Some(&send_t),
            Some(("text/plain", ajwe.clone().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 415);
    let r = api
        .call(
            Method::PUT,
            a_path,
            &format!("/v1/submissions/{sid}/attachments/00000000-0000-4000-8000-000000000001"),
            Some(&send_t),
            Some(("application/jose", ajwe.clone().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 422, "not announced");
    for (aid, ajwe) in &sealed.attachments {
        let r = api
            .call(
                Method::PUT,
                a_path,
                &format!("/v1/submissions/{sid}/attachments/{aid}"),
                Some(&send_t),
                Some(("application/jose", ajwe.clone().into_bytes())),
            )
            .await;
        assert_eq!(r.status, 204);
    }
    let r = api
        .call(
            Method::PUT,
            s_path,
            &format!("/v1/submissions/{sid}"),
            Some(&send_t),
            submit,
        )
        .await;
    assert_eq!(r.status, 202);

    // Subscriber: list, fetch, attachments, events.
    let list = api
        .call(
            Method::GET,
            "/v1/submissions",
            &format!("/v1/submissions?destinationId={dest}&limit=10&offset=0"),
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(list.json["totalCount"], 1);
    let r = api
        .call(
            Method::GET,
            "/v1/submissions",
            "/v1/submissions?limit=0",
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json["count"].as_u64()),
        (200, Some(1)),
        "limit clamped to 1"
    );
    let s = api
        .call(
            Method::GET,
            s_path,
            &format!("/v1/submissions/{sid}"),
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(s.status, 200);
    let r = api
        .call(
            Method::GET,
            s_path,
            &format!("/v1/submissions/{sid}"),
            Some(&send_t),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let (aid, _) = &sealed.attachments[0];
    let a = api
        .call(
            Method::GET,
            a_path,
            &format!("/v1/submissions/{sid}/attachments/{aid}"),
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, sealed.attachments[0].1.as_bytes());

    let mut sink = fitconnect::client::MemorySink::default();
    let client = info.subscriber_client().unwrap();
    let received = client
        .receive(
            &sid,
            &enc,
            &simulator::leistungen::form_schemas(),
            &mut sink,
        )
        .await
        .unwrap();
    let accept =
        fitconnect::set::accept_submission(&sig, &dest, &sid, &case, &received.tags).unwrap();
    let events_url = format!("/v1/cases/{case}/events");
    let r = api
        .call(
            Method::POST,
            e_path,
            &events_url,
            Some(&sub_t),
            Some(("application/json", accept.clone().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 400, "wrong content type");
    let r = api
        .call(
            Method::POST,
            e_path,
            &events_url,
            Some(&sub_t),
            Some(("application/jose", b"a.b.c".to_vec())),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .call(
            Method::POST,
            e_path,
            &events_url,
            Some(&sub_t),
            Some(("application/jose", accept.clone().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .call(
            Method::POST,
            e_path,
            &events_url,
            Some(&sub_t),
            Some(("application/jose", accept.into_bytes())),
        )
        .await;
    assert_eq!(r.status, 409);
    let log = api
        .call(
            Method::GET,
            e_path,
            &format!("{events_url}?limit=2&offset=1"),
            Some(&send_t),
            None,
        )
        .await;
    assert_eq!(
        (log.json["count"].as_u64(), log.json["totalCount"].as_u64()),
        (Some(2), Some(3))
    );
    let r = api
        .call(
            Method::GET,
            e_path,
            "/v1/cases/00000000-0000-4000-8000-000000000009/events",
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let gone = api
        .call(
            Method::GET,
            s_path,
            &format!("/v1/submissions/{sid}"),
            Some(&sub_t),
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    let _ = (jwks.body, d.body, gone.json);
    sim.stop().await;
}
