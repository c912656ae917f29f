//! The email channel against a real SMTP server on 127.0.0.1: aiosmtpd (PyPI), run by
//! `smtp_sink.py` beside this file. Plain SMTP with AUTH, and STARTTLS with a certificate made
//! for the test.
//!
//! The sink needs Python 3 with aiosmtpd (`scripts/test.sh` installs it and sets
//! `WARD_TEST_SMTP_REQUIRED=1`, which turns a missing sink into a failure; without it the email
//! tests are skipped with a note). `WARD_TEST_PYTHON` picks the interpreter.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ward_notify::channels::{Email, EmailConfig, SmtpSecurity};
use ward_notify::{Channel, DeliveryError};
use ward_vault::Secret;

use crate::support::{assert_snapshot, sample_events};

const USER: &str = "ward";
const PASSWORD: &str = "sink-password";

/// A running `smtp_sink.py`, killed when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// Starts the sink, with STARTTLS when given a certificate and key (PEM files). `None`
    /// when Python or aiosmtpd is missing and the sink is not required.
    fn start(tls: Option<(&Path, &Path)>) -> Option<Sink> {
        let python = std::env::var("WARD_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let has_aiosmtpd = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has_aiosmtpd {
            if std::env::var_os("WARD_TEST_SMTP_REQUIRED").is_some() {
                panic!("{python} cannot import aiosmtpd: `{python} -m pip install aiosmtpd`");
            }
            skip_note(&python);
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
            .join("tests/it/smtp_sink.py");
        let mut command = Command::new(&python);
        command.arg(script).arg(dir.path()).args([USER, PASSWORD]);
        if let Some((cert, key)) = tls {
            command.arg(cert).arg(key);
        }
        // The sink exits when its stdin closes, so it never outlives the test.
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink did not start: {line:?}"));
        Some(Sink { child, port, dir })
    }

    /// What the sink saw of its `n`th message (from 1).
    fn message(&self, n: usize) -> serde_json::Value {
        let path: PathBuf = self.dir.path().join(format!("{n:04}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    fn n_messages(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
            })
            .count()
    }

    fn config(&self, security: SmtpSecurity) -> EmailConfig {
        EmailConfig {
            host: "127.0.0.1".to_owned(),
            port: Some(self.port),
            security,
            username: Some(USER.to_owned()),
            password: Some(Secret::new(PASSWORD)),
            from: "ward <ward@example.com>".to_owned(),
            to: vec![
                "sec@example.com".to_owned(),
                "Lead <lead@example.com>".to_owned(),
            ],
            ca_pem: None,
            timeout_seconds: Some(10),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[allow(clippy::print_stderr)] // the only way to tell a skipped test from a passed one
fn skip_note(python: &str) {
    eprintln!("skipping the email tests: {python} cannot import aiosmtpd (pip install aiosmtpd)");
}

#[tokio::test]
async fn email_arrives_with_text_and_html_parts() {
    let Some(sink) = Sink::start(None) else {
        return;
    };
    let email = Email::new(sink.config(SmtpSecurity::Plain)).unwrap();
    for (n, (name, event)) in sample_events().into_iter().enumerate() {
        email.send(&event).await.unwrap();
        let got = sink.message(n + 1);
        assert_eq!(got["mail_from"], "ward@example.com");
        assert_eq!(
            got["rcpt_tos"],
            serde_json::json!(["sec@example.com", "lead@example.com"])
        );
        assert_eq!(got["authenticated"], true);
        assert_eq!(got["login"], USER);
        assert_eq!(got["tls"], false);
        assert_eq!(got["from"], "ward <ward@example.com>");
        assert_eq!(got["to"], "sec@example.com, Lead <lead@example.com>");
        assert_eq!(got["content_type"], "multipart/alternative");
        let subject = got["subject"].as_str().unwrap();
        assert!(subject.starts_with("[ward] "), "{subject}");
        let parts = got["parts"].as_array().unwrap();
        let types: Vec<&str> = parts
            .iter()
            .map(|p| p["content_type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["text/plain", "text/html"]);
        let text = parts[0]["text"].as_str().unwrap();
        let html = parts[1]["text"].as_str().unwrap();
        assert_snapshot(
            &format!("email_{name}.txt"),
            &format!("Subject: {subject}\n\n{text}"),
        );
        assert_snapshot(&format!("email_{name}.html"), html);
        // Untrusted text is escaped in the HTML part and kept verbatim in the text part.
        if name == "gate_failed" {
            assert!(
                html.contains("SQL injection in &lt;b&gt;login&lt;/b&gt; &amp; &quot;search&quot;")
            );
            assert!(!html.contains("<b>login</b>"));
            assert!(text.contains("SQL injection in <b>login</b> & \"search\""));
        }
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_permanent_failure() {
    let Some(sink) = Sink::start(None) else {
        return;
    };
    let mut config = sink.config(SmtpSecurity::Plain);
    config.password = Some(Secret::new("wrong"));
    let (_, event) = sample_events().remove(0);
    let err = Email::new(config).unwrap().send(&event).await.unwrap_err();
    assert!(
        matches!(
            err,
            DeliveryError::Smtp {
                permanent: true,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert!(!format!("{err} {err:?}").contains("wrong"), "{err}");
    assert_eq!(sink.n_messages(), 0);
}

#[tokio::test]
async fn starttls_upgrades_and_checks_the_certificate() {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let Some(sink) = Sink::start(Some((&cert, &key))) else {
        return;
    };
    let (_, event) = sample_events().remove(0);

    // Not trusted: the certificate is the test's own, not under a public root.
    let err = Email::new(sink.config(SmtpSecurity::StartTls))
        .unwrap()
        .send(&event)
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(sink.n_messages(), 0);

    let mut config = sink.config(SmtpSecurity::StartTls);
    config.ca_pem = Some(certified.cert.pem());
    Email::new(config).unwrap().send(&event).await.unwrap();
    let got = sink.message(1);
    assert_eq!(got["tls"], true);
    assert_eq!(got["authenticated"], true);
    assert_eq!(got["content_type"], "multipart/alternative");
}
