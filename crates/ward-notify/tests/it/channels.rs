//! The HTTP channels against a real receiver on 127.0.0.1: the bodies each channel sends
//! (snapshots), the webhook's signature, and how failures map to retry or not.

use std::time::{Duration, SystemTime};

use ward_notify::channels::{verify, VerifyError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use ward_notify::{ChannelConfig, DeliveryError, Event, HttpClient};
use ward_vault::Secret;

use crate::support::{assert_snapshot, sample_events, Receiver};

const WEBHOOK_SECRET: &str = "whsec-test-only";

fn http() -> HttpClient {
    HttpClient::new(Duration::from_secs(2)).unwrap()
}

fn config(kind: &str, url: String) -> ChannelConfig {
    let url = Secret::new(url);
    match kind {
        "slack" => ChannelConfig::Slack { url },
        "rocketchat" => ChannelConfig::RocketChat { url },
        "teams" => ChannelConfig::Teams { url },
        "webhook" => ChannelConfig::Webhook {
            url,
            secret: Secret::new(WEBHOOK_SECRET),
        },
        other => panic!("no HTTP channel {other}"),
    }
}

#[tokio::test]
async fn each_channel_posts_its_native_format() {
    let receiver = Receiver::start().await;
    let http = http();
    for kind in ["slack", "rocketchat", "teams", "webhook"] {
        let channel = config(kind, receiver.url(&format!("/{kind}")))
            .build(&http)
            .unwrap();
        for (name, event) in sample_events() {
            channel.send(&event).await.unwrap();
            let request = receiver.received().pop().unwrap();
            assert_eq!(request.path, format!("/{kind}"));
            assert_eq!(request.headers["content-type"], "application/json");
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_snapshot(
                &format!("{kind}_{name}.json"),
                &format!("{}\n", serde_json::to_string_pretty(&body).unwrap()),
            );
        }
    }
    assert_eq!(receiver.received().len(), 16);
}

#[tokio::test]
async fn webhook_bodies_are_the_event_and_their_signature_verifies() {
    let receiver = Receiver::start().await;
    let channel = config("webhook", receiver.url("/hook"))
        .build(&http())
        .unwrap();
    let (_, event) = sample_events().remove(0);
    channel.send(&event).await.unwrap();
    let request = receiver.received().pop().unwrap();
    let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("x-ward-event"), "gate.failed");
    assert_eq!(header("x-ward-event-id"), event.id);
    let back: Event = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(back, event);

    let (timestamp, signature) = (header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER));
    let secret = WEBHOOK_SECRET.as_bytes();
    let five_minutes = Duration::from_secs(300);
    let now = SystemTime::now();
    assert_eq!(
        verify(
            secret,
            &timestamp,
            &request.body,
            &signature,
            now,
            five_minutes
        ),
        Ok(())
    );
    let mut tampered = request.body.to_vec();
    let at = tampered.iter().position(|&b| b == b'1').unwrap();
    tampered[at] = b'9';
    assert_eq!(
        verify(secret, &timestamp, &tampered, &signature, now, five_minutes),
        Err(VerifyError::Mismatch)
    );
    // The same request replayed ten minutes later is refused.
    let later = now + Duration::from_secs(600);
    assert!(matches!(
        verify(
            secret,
            &timestamp,
            &request.body,
            &signature,
            later,
            five_minutes
        ),
        Err(VerifyError::Stale { .. })
    ));
    assert_eq!(
        verify(
            b"another secret",
            &timestamp,
            &request.body,
            &signature,
            now,
            five_minutes
        ),
        Err(VerifyError::Mismatch)
    );
}

#[tokio::test]
async fn server_errors_are_retryable_and_client_errors_are_not() {
    let receiver = Receiver::start().await;
    let http = http();
    let (_, event) = sample_events().remove(0);
    let send = |path: &str| {
        let channel = config("slack", receiver.url(path)).build(&http).unwrap();
        let event = event.clone();
        async move { channel.send(&event).await.unwrap_err() }
    };

    let err = send("/status/500").await;
    assert!(err.is_retryable(), "{err}");
    assert!(
        matches!(err, DeliveryError::Unavailable { status: 500, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "slack is unavailable: HTTP 500 (error 500)"
    );

    let err = send("/status/503").await;
    assert!(err.is_retryable(), "{err}");

    let err = send("/status/429").await;
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));

    let err = send("/status/400").await;
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(
        err.to_string(),
        "slack refused the message: HTTP 400 (error 400)"
    );

    let err = send("/status/404").await;
    assert!(!err.is_retryable(), "{err}");

    let err = send("/slow").await;
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.to_string(), "slack could not be reached: timed out");
}

#[tokio::test]
async fn refused_connections_are_retryable_and_never_show_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/services/T000/B000/token-that-must-not-leak");
    let channel = config("slack", url).build(&http()).unwrap();
    let (_, event) = sample_events().remove(0);
    let err = channel.send(&event).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Unreachable { .. }), "{err}");
    assert!(err.is_retryable());
    let text = format!("{err} {err:?}");
    assert!(!text.contains("token-that-must-not-leak"), "{text}");
    assert!(!text.contains("services"), "{text}");
}
