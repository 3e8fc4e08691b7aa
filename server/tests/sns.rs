//! SNS through HTTP, on SQLite and PostgreSQL: messages signed (versions 1 and 2) with the test's
//! own key, whose certificate reaches the console through the fetcher interface production uses.
//! A forged signature, a certificate URL on another host (or SNS's own spelled another way:
//! `:443`, `%2e%2e`) and an unlisted topic are refused (all but the first without fetching
//! anything); a subscription is confirmed only for an allowed topic; a
//! CloudWatch alarm notification becomes an alert, once however often SNS delivers it.

mod common;

use std::sync::{Arc, Mutex};

use app::domain::alert::IntegrationKind;
use async_trait::async_trait;
use axum::body::Body;
use base64::Engine as _;
use common::TestConsole;
use http::{Request, StatusCode, header};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use server::audit::Actor;
use server::ingest::sns::{Fetcher, string_to_sign};
use server::ingest::store::Integrations;
use tower::ServiceExt;

const KEY: &str = include_str!("fixtures/sns-test.key.pem");
const CERT: &str = include_str!("fixtures/sns-test.cert.pem");
const TOPIC: &str = "arn:aws:sns:ap-northeast-1:123456789012:oncall-alarms";
const CERT_URL: &str = "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem";

/// SNS as far as the console can tell: the certificate at SNS's URL, confirmations answered.
#[derive(Default)]
struct FakeSns {
    fetched: Mutex<Vec<String>>,
}

#[async_trait]
impl Fetcher for FakeSns {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        self.fetched.lock().unwrap().push(url.to_owned());
        if url == CERT_URL {
            Ok(CERT.as_bytes().to_vec())
        } else if url.contains("Action=ConfirmSubscription") {
            Ok(b"<ConfirmSubscriptionResponse/>".to_vec())
        } else {
            Err(format!("{url}: not found"))
        }
    }
}

struct Sns {
    console: TestConsole,
    fake: Arc<FakeSns>,
    router: axum::Router,
    id: String,
    secret: String,
}

async fn sns() -> Sns {
    let console = TestConsole::with_admin().await;
    let integrations = Integrations { db: console.db.clone() };
    let created =
        integrations.create(Actor::System("test"), "sns", IntegrationKind::Sns, &[TOPIC.to_owned()], 1).await.unwrap();
    let fake = Arc::new(FakeSns::default());
    let router = server::ingest::routes(server::ingest::IngestState {
        intake: server::ingest::store::Intake::spawn(integrations.clone()),
        integrations,
        clock: Arc::new(server::clock::SystemClock),
        wake: Arc::default(),
        sns: fake.clone(),
    });
    Sns { console, fake, router, id: created.id, secret: created.secret }
}

/// `message` signed with the test key, as SNS would (`version` "1" or "2").
fn signed(mut message: serde_json::Value, version: &str) -> serde_json::Value {
    let key = RsaPrivateKey::from_pkcs8_pem(KEY).unwrap();
    let m = message.as_object_mut().unwrap();
    m.insert("SignatureVersion".into(), version.into());
    m.insert("SigningCertURL".into(), CERT_URL.into());
    let text = string_to_sign(m).unwrap();
    let signature = match version {
        "1" => SigningKey::<sha1::Sha1>::new(key).sign(text.as_bytes()).to_vec(),
        _ => SigningKey::<sha2::Sha256>::new(key).sign(text.as_bytes()).to_vec(),
    };
    m.insert("Signature".into(), base64::engine::general_purpose::STANDARD.encode(signature).into());
    message
}

fn alarm(message_id: &str, state: &str) -> serde_json::Value {
    let alarm = serde_json::json!({"AlarmName":"HighQueue","NewStateValue":state,"NewStateReason":"Threshold Crossed",
        "StateChangeTime":"2026-11-30T01:00:00.000+0000","Region":"Asia Pacific (Tokyo)",
        "AlarmArn":"arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:HighQueue"});
    serde_json::json!({"Type":"Notification","MessageId":message_id,"TopicArn":TOPIC,
        "Subject":format!("{state}: \"HighQueue\""),"Message":alarm.to_string(),"Timestamp":"2026-11-30T01:00:00.100Z"})
}

impl Sns {
    async fn post(&self, message: &serde_json::Value) -> (StatusCode, String) {
        // SNS carries the secret as the password of the subscription URL's user info.
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("sns:{}", self.secret));
        let req = Request::post(format!("/ingest/{}", self.id))
            .header(header::CONTENT_TYPE, "text/plain; charset=UTF-8")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .body(Body::from(message.to_string()))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn fetched(&self) -> Vec<String> {
        self.fake.fetched.lock().unwrap().clone()
    }

    async fn alerts(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT fingerprint, status FROM alerts ORDER BY seq")
            .fetch_all(&self.console.db.pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn signed_alarm_notifications_become_alerts_once() {
    let s = sns().await;
    for (id, version) in [("m-1", "1"), ("m-2", "2")] {
        let state = if version == "1" { "ALARM" } else { "OK" };
        let message = signed(alarm(id, state), version);
        for _ in 0..3 {
            let (status, body) = s.post(&message).await;
            assert_eq!(status, StatusCode::ACCEPTED, "version {version}: {body}");
        }
    }
    let arn = "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:HighQueue".to_owned();
    assert_eq!(s.alerts().await, [(arn.clone(), "firing".to_owned()), (arn, "resolved".to_owned())], "once each");
}

#[tokio::test]
async fn forged_foreign_and_unlisted_messages_are_refused() {
    let s = sns().await;
    let mut forged = signed(alarm("m-1", "ALARM"), "2");
    forged["Message"] = alarm("m-1", "OK")["Message"].clone();
    let (status, body) = s.post(&forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("signature"), "{body}");
    assert_eq!(s.fetched(), [CERT_URL], "the real certificate was fetched to check the forgery");

    let mut elsewhere = signed(alarm("m-2", "ALARM"), "2");
    for url in [
        "https://s3.amazonaws.com/bucket/SimpleNotificationService-0123.pem",
        "https://sns.ap-northeast-1.amazonaws.com.evil.example/SimpleNotificationService-0123.pem",
        // SNS's own URL spelled another way is not SNS's URL: each would be normalised to it
        // (or to another path) only by the parser, after the check.
        "https://sns.ap-northeast-1.amazonaws.com:443/SimpleNotificationService-0123456789abcdef.pem",
        "https://sns.ap-northeast-1.amazonaws.com/x/%2e%2e/SimpleNotificationService-0123456789abcdef.pem",
        "https://sns.ap-northeast-1.amazonaws.com/./SimpleNotificationService-0123456789abcdef.pem",
        "HTTPS://SNS.ap-northeast-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem",
    ] {
        elsewhere["SigningCertURL"] = url.into();
        let (status, body) = s.post(&elsewhere).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let mut unlisted = alarm("m-3", "ALARM");
    unlisted["TopicArn"] = "arn:aws:sns:ap-northeast-1:999999999999:someone-elses".into();
    let (status, body) = s.post(&signed(unlisted, "2")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("allow-list"), "{body}");
    assert_eq!(s.fetched(), [CERT_URL], "nothing fetched for a foreign URL or an unlisted topic");
    assert!(s.alerts().await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_subscription_is_confirmed_only_for_an_allowed_topic() {
    let s = sns().await;
    let subscribe = "https://sns.ap-northeast-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=abc";
    let confirmation = |topic: &str| {
        serde_json::json!({"Type":"SubscriptionConfirmation","MessageId":"c-1","Token":"abc","TopicArn":topic,
            "Message":"You have chosen to subscribe to the topic","SubscribeURL":subscribe,"Timestamp":"2026-11-30T00:00:00.000Z"})
    };
    let (status, _) = s.post(&signed(confirmation("arn:aws:sns:ap-northeast-1:999999999999:other"), "1")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(s.fetched().is_empty());
    let (status, body) = s.post(&signed(confirmation(TOPIC), "1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s.fetched(), [CERT_URL, subscribe]);
    let mut foreign = signed(confirmation(TOPIC), "1");
    foreign["SubscribeURL"] = "https://evil.example/?Action=ConfirmSubscription".into();
    assert_eq!(s.post(&foreign).await.0, StatusCode::FORBIDDEN);
    assert_eq!(s.fetched().len(), 2, "a foreign SubscribeURL is never fetched");
    assert!(s.alerts().await.is_empty());
}

#[tokio::test]
async fn an_sns_integration_needs_its_topics() {
    let c = TestConsole::with_admin().await;
    let integrations = Integrations { db: c.db.clone() };
    for topics in [vec![], vec!["not-an-arn".to_owned()]] {
        let e =
            integrations.create(Actor::System("test"), "sns", IntegrationKind::Sns, &topics, 1).await.err().unwrap();
        assert!(matches!(&e, server::error::ServerError::Invalid(f) if f[0].field == "topic"), "{e:?}");
    }
}
