//! Email over SMTP with lettre: a `multipart/alternative` message with a plain-text and an
//! HTML part.
//!
//! Connection security: `starttls` (submission, port 587 by default: upgrade required, never
//! falls back to clear), `tls` (implicit TLS, port 465), or `plain` (no TLS, port 25), which is
//! only allowed to a loopback address (a local relay or a test sink). Certificates are checked
//! against the webpki roots, plus an optional PEM CA for private relays. Every text that comes
//! from users or scanners is HTML-escaped in the HTML part.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use ward_core::Severity;
use ward_vault::Secret;

use super::ConfigError;
use crate::render::{self, MAX_FINDINGS};
use crate::{Channel, DeliveryError, Event};

/// How long one SMTP conversation may take unless configured.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Connect in clear, then upgrade with STARTTLS (required). Default port 587.
    StartTls,
    /// TLS from the first byte. Default port 465.
    Tls,
    /// No TLS; only to a loopback host. Default port 25.
    Plain,
}

/// An email channel's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The SMTP server's host name or address.
    pub host: String,
    /// The port, when not the default for `security`.
    #[serde(default)]
    pub port: Option<u16>,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// The login, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// The password for `username`.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The sender, `ward@example.com` or `ward <ward@example.com>`.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// An extra CA certificate (PEM) to trust, for relays with a private CA.
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// Seconds one SMTP conversation may take (default 30).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// An email channel: one SMTP server, one sender, fixed recipients.
pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials; show only the addresses.
        f.debug_struct("Email")
            .field("from", &self.from.to_string())
            .field("to", &self.to.len())
            .finish_non_exhaustive()
    }
}

impl Email {
    /// Checks the configuration (addresses, plain only to loopback, the CA) and prepares the
    /// transport. Nothing connects until [`Channel::send`].
    pub fn new(config: EmailConfig) -> Result<Email, ConfigError> {
        let error = |reason: String| ConfigError {
            channel: "email",
            reason,
        };
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| error(format!("sender {:?}: {e}", config.from)))?;
        let to = config
            .to
            .iter()
            .map(|a| {
                a.parse::<Mailbox>()
                    .map_err(|e| error(format!("recipient {a:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(error("no recipients".to_owned()));
        }
        let host = config.host.trim().to_owned();
        if config.security == SmtpSecurity::Plain && !is_loopback(&host) {
            return Err(error(format!(
                "plain SMTP sends the message and the password in clear: only allowed to a \
                 loopback host, not {host:?} (use starttls or tls)"
            )));
        }
        let tls = || -> Result<TlsParameters, ConfigError> {
            let mut builder = TlsParameters::builder(host.clone());
            if let Some(pem) = &config.ca_pem {
                if !pem.contains("-----BEGIN CERTIFICATE-----") {
                    return Err(error("ca_pem holds no PEM certificate".to_owned()));
                }
                let certificate = Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| error(format!("ca_pem: {e}")))?;
                builder = builder.add_root_certificate(certificate);
            }
            builder
                .build()
                .map_err(|e| error(format!("TLS setup for {host:?}: {e}")))
        };
        let (tls, default_port) = match config.security {
            SmtpSecurity::StartTls => (Tls::Required(tls()?), 587),
            SmtpSecurity::Tls => (Tls::Wrapper(tls()?), 465),
            SmtpSecurity::Plain => (Tls::None, 25),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
            .port(config.port.unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(
                config
                    .timeout_seconds
                    .map_or(DEFAULT_TIMEOUT, Duration::from_secs),
            ));
        match (config.username, config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
            }
            (None, None) => {}
            _ => return Err(error("username and password go together".to_owned())),
        }
        Ok(Email {
            transport: builder.build(),
            from,
            to,
        })
    }

    /// The message for `event`: subject, text part and HTML part.
    pub fn message(&self, event: &Event) -> Result<Message, DeliveryError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(subject(event));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(text(event), html(event)))
            .map_err(|e| DeliveryError::Invalid {
                channel: "email",
                reason: format!("building the message: {e}"),
            })
    }
}

#[async_trait::async_trait]
impl Channel for Email {
    fn kind(&self) -> &'static str {
        "email"
    }

    async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let message = self.message(event)?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(smtp_error)
    }
}

/// `[ward] Gate failed: payments / main`, on one line.
pub(crate) fn subject(event: &Event) -> String {
    let line: String = render::headline(event)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("[ward] {}", render::truncate(&line, 200))
}

/// The plain-text part.
pub(crate) fn text(event: &Event) -> String {
    let mut out = format!(
        "{}\n\n{}\n",
        render::headline(event),
        render::summary(event)
    );
    for line in render::details(event) {
        out.push_str(&format!("  - {line}\n"));
    }
    if render::shows_findings(event) {
        out.push('\n');
        for s in Severity::ALL {
            out.push_str(&format!(
                "{:<9} {}\n",
                render::severity_label(s),
                event.counts.get(s)
            ));
        }
        if !event.top_findings.is_empty() {
            out.push_str("\nTop findings:\n");
            for f in event.top_findings.iter().take(MAX_FINDINGS) {
                out.push_str(&format!(
                    "  [{}] {} - {}\n",
                    render::severity_label(f.severity),
                    f.title,
                    f.location
                ));
            }
            let unlisted = render::n_unlisted(event);
            if unlisted > 0 {
                out.push_str(&format!("  ... and {unlisted} more\n"));
            }
        }
    }
    if let Some(url) = &event.url {
        out.push_str(&format!("\nOpen in ward: {url}\n"));
    }
    out.push_str(&format!(
        "\n-- \nward · {} · {}\n",
        event.kind(),
        render::when(event)
    ));
    out
}

/// The HTML part: a simple table-free layout that mail clients render alike.
pub(crate) fn html(event: &Event) -> String {
    let colour = render::tone(event).hex();
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.4\">\n",
    );
    out.push_str(&format!(
        "<h2 style=\"border-left: 4px solid {colour}; padding-left: 8px\">{}</h2>\n<p>{}</p>\n",
        escape(&render::headline(event)),
        escape(&render::summary(event))
    ));
    let details = render::details(event);
    if !details.is_empty() {
        out.push_str("<ul>\n");
        for line in details {
            out.push_str(&format!("<li>{}</li>\n", escape(&line)));
        }
        out.push_str("</ul>\n");
    }
    if render::shows_findings(event) {
        out.push_str("<p>");
        let counts: Vec<String> = Severity::ALL
            .into_iter()
            .map(|s| {
                format!(
                    "<b>{}</b> {}",
                    render::severity_label(s),
                    event.counts.get(s)
                )
            })
            .collect();
        out.push_str(&counts.join(" &middot; "));
        out.push_str("</p>\n");
        if !event.top_findings.is_empty() {
            out.push_str("<h3>Top findings</h3>\n<ul>\n");
            for f in event.top_findings.iter().take(MAX_FINDINGS) {
                out.push_str(&format!(
                    "<li><b>{}</b> {} &mdash; <code>{}</code></li>\n",
                    render::severity_label(f.severity),
                    escape(&f.title),
                    escape(&f.location)
                ));
            }
            let unlisted = render::n_unlisted(event);
            if unlisted > 0 {
                out.push_str(&format!("<li>&hellip; and {unlisted} more</li>\n"));
            }
            out.push_str("</ul>\n");
        }
    }
    if let Some(url) = &event.url {
        out.push_str(&format!(
            "<p><a href=\"{}\">Open in ward</a></p>\n",
            escape(url)
        ));
    }
    out.push_str(&format!(
        "<p style=\"color: #666; font-size: small\">ward &middot; {} &middot; {}</p>\n</body></html>\n",
        event.kind(),
        render::when(event)
    ));
    out
}

/// Escapes text for HTML element content and double-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn smtp_error(error: lettre::transport::smtp::Error) -> DeliveryError {
    if error.is_permanent() || error.is_transient() {
        return DeliveryError::Smtp {
            permanent: error.is_permanent(),
            reason: error.to_string(),
        };
    }
    if error.is_client() {
        return DeliveryError::Invalid {
            channel: "email",
            reason: error.to_string(),
        };
    }
    // Connection, TLS and timeout failures: the server may be back later.
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(e) = source {
        reason.push_str(&format!(": {e}"));
        source = e.source();
    }
    DeliveryError::Unreachable {
        channel: "email",
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(security: SmtpSecurity, host: &str) -> EmailConfig {
        EmailConfig {
            host: host.to_owned(),
            port: None,
            security,
            username: None,
            password: None,
            from: "ward <ward@example.com>".to_owned(),
            to: vec!["sec@example.com".to_owned()],
            ca_pem: None,
            timeout_seconds: None,
        }
    }

    #[test]
    fn html_escaping() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn plain_smtp_only_to_loopback() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.9.9.9"] {
            assert!(
                Email::new(config(SmtpSecurity::Plain, host)).is_ok(),
                "{host}"
            );
        }
        for host in ["smtp.example.com", "10.0.0.5"] {
            let err = Email::new(config(SmtpSecurity::Plain, host)).unwrap_err();
            assert!(err.reason.contains("loopback"), "{err}");
        }
        assert!(Email::new(config(SmtpSecurity::StartTls, "smtp.example.com")).is_ok());
        assert!(Email::new(config(SmtpSecurity::Tls, "smtp.example.com")).is_ok());
    }

    #[test]
    fn bad_addresses_and_half_credentials_are_refused() {
        let mut c = config(SmtpSecurity::Tls, "smtp.example.com");
        c.to = vec!["not an address".to_owned()];
        assert!(Email::new(c).unwrap_err().reason.contains("recipient"));
        let mut c = config(SmtpSecurity::Tls, "smtp.example.com");
        c.to.clear();
        assert!(Email::new(c).is_err());
        let mut c = config(SmtpSecurity::Tls, "smtp.example.com");
        c.username = Some("ward".to_owned());
        assert!(Email::new(c).is_err());
        let mut c = config(SmtpSecurity::Tls, "smtp.example.com");
        c.ca_pem = Some("not a certificate".to_owned());
        assert!(Email::new(c).unwrap_err().reason.contains("ca_pem"));
    }
}
