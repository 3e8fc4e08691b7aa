//! Amazon SNS over an HTTPS subscription. Every message is checked before anything is done with
//! it: its topic must be on the integration's allow-list (a valid signature proves SNS, not your
//! account), its certificate URL must be SNS's own (`https://sns.<region>.amazonaws.com/
//! SimpleNotificationService-<hex>.pem`, nothing else: never S3), and its signature (version 1,
//! SHA1withRSA, or 2, SHA256withRSA) must verify with that certificate. The topic and URL are
//! checked before anything is fetched. A subscription is confirmed (its `SubscribeURL`, checked
//! the same way, is fetched) only for an allowed topic. Certificates are fetched over HTTPS from
//! SNS and cached; tests bring their own through the same [`Fetcher`] interface.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm, alg_id};
use serde_json::{Map, Value};

use crate::outbound::Outbound;

/// Fetches what SNS links to: certificates, and subscription confirmations.
#[async_trait]
pub trait Fetcher: Send + Sync {
    /// The body at `url` (already checked to be SNS's).
    async fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// The production fetcher: HTTPS (rustls, the Web PKI roots), certificates cached by URL, through
/// the console's outbound policy (no redirects; only addresses the policy permits).
pub struct Https {
    client: reqwest::Client,
    outbound: Outbound,
    certificates: Mutex<HashMap<String, Vec<u8>>>,
}

impl Https {
    pub fn new(outbound: &Outbound) -> Https {
        let client = outbound.client(std::time::Duration::from_secs(4));
        Https { client, outbound: outbound.clone(), certificates: Mutex::default() }
    }
}

#[async_trait]
impl Fetcher for Https {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let cacheable = certificate_url_ok(url);
        if cacheable && let Some(hit) = self.certificates.lock().ok().and_then(|c| c.get(url).cloned()) {
            return Ok(hit);
        }
        let checked = self.outbound.check(url).map_err(|e| e.to_string())?;
        if checked.scheme() != "https" {
            return Err(format!("{url} is not https"));
        }
        let response = self.client.get(checked).send().await.map_err(|e| {
            if crate::outbound::is_refusal(&e) { crate::outbound::REFUSED.to_owned() } else { e.to_string() }
        })?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?.to_vec();
        if cacheable && let Ok(mut cache) = self.certificates.lock() {
            cache.insert(url.to_owned(), body.clone());
        }
        Ok(body)
    }
}

/// Why a message is refused, and the status that says so.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not an SNS message we can read (400, quarantined).
    Malformed(String),
    /// Not allowed: an unlisted topic, a foreign certificate URL, a bad signature (403).
    Forbidden(String),
    /// The certificate or the confirmation could not be fetched now (503: SNS retries).
    Unavailable(String),
}

/// What the door does with a checked message.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// A notification: read it into alerts.
    Notification,
    /// A subscription confirmed (or an unsubscription noted): nothing more to do.
    Handled(&'static str),
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// `https://sns.<region>.amazonaws.com[.cn]/<path>`, with nothing else in the URL.
fn sns_url(url: &str, path_ok: impl Fn(&str) -> bool) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    let host = u.host_str().unwrap_or_default();
    let region = host
        .strip_prefix("sns.")
        .and_then(|h| h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn")));
    // Compared as the parser writes it back: `:443`, `%2e%2e` or `/./` are not SNS's own spelling.
    u.as_str() == url
        && u.scheme() == "https"
        && u.username().is_empty()
        && u.password().is_none()
        && u.port().is_none()
        && u.fragment().is_none()
        && region.is_some_and(|r| r.len() >= 3 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && path_ok(u.path())
}

/// A signing certificate's URL: SNS's host, `/SimpleNotificationService[-<hex>].pem`, no query.
pub fn certificate_url_ok(url: &str) -> bool {
    sns_url(url, |path| {
        let name = path.strip_prefix("/SimpleNotificationService").and_then(|p| p.strip_suffix(".pem"));
        name.is_some_and(|n| {
            n.is_empty()
                || n.strip_prefix('-').is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric()))
        }) && !url.contains('?')
    })
}

/// A subscription's confirmation URL: SNS's host, the ConfirmSubscription action.
pub fn subscribe_url_ok(url: &str) -> bool {
    sns_url(url, |path| path == "/") && url.contains("Action=ConfirmSubscription")
}

/// The text SNS signed for this message type.
pub fn string_to_sign(m: &Map<String, Value>) -> Result<String, Refused> {
    let kind = text(m, "Type").unwrap_or_default();
    let keys: &[&str] = match kind {
        "Notification" => &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
        "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
            &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        }
        other => return Err(Refused::Malformed(format!("unknown SNS message Type \"{other}\""))),
    };
    let mut out = String::new();
    for key in keys {
        match text(m, key) {
            Some(v) => {
                out.push_str(key);
                out.push('\n');
                out.push_str(v);
                out.push('\n');
            }
            None if *key == "Subject" => {}
            None => return Err(Refused::Malformed(format!("SNS {kind} without {key}"))),
        }
    }
    Ok(out)
}

/// RSA PKCS#1 v1.5 by ring, as webpki asks for it (SHA-1 only as SNS's version 1 needs it).
#[derive(Debug)]
struct Rsa(&'static ring::signature::RsaParameters);

impl SignatureVerificationAlgorithm for Rsa {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        ring::signature::UnparsedPublicKey::new(self.0, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_PKCS1_SHA256
    }
}

static SHA1: Rsa = Rsa(&ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY);
static SHA256: Rsa = Rsa(&ring::signature::RSA_PKCS1_2048_8192_SHA256);

/// Whether `signature` (base64) over `message` verifies with the PEM certificate `pem`.
pub fn signature_ok(pem: &[u8], version: &str, message: &str, signature: &str) -> bool {
    let algorithm: &Rsa = match version {
        "1" => &SHA1,
        "2" => &SHA256,
        _ => return false,
    };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature) else { return false };
    let Ok(der) = CertificateDer::from_pem_slice(pem) else { return false };
    let Ok(cert) = webpki::EndEntityCert::try_from(&der) else { return false };
    cert.verify_signature(algorithm, message.as_bytes(), &signature).is_ok()
}

/// Checks an SNS message for an integration whose allowed topics are `topics`, confirming a
/// subscription when that is what it is.
pub async fn check(fetcher: &Arc<dyn Fetcher>, topics: &[String], body: &[u8]) -> Result<Checked, Refused> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Refused::Malformed(format!("not an SNS message (not JSON: {e})")))?;
    let m = value.as_object().ok_or_else(|| Refused::Malformed("not an SNS message (not an object)".into()))?;
    let topic = text(m, "TopicArn").ok_or_else(|| Refused::Malformed("not an SNS message (no TopicArn)".into()))?;
    if !topics.iter().any(|t| t == topic) {
        return Err(Refused::Forbidden(format!("topic {topic} is not on this integration's allow-list")));
    }
    let to_sign = string_to_sign(m)?;
    let cert_url = text(m, "SigningCertURL").unwrap_or_default();
    if !certificate_url_ok(cert_url) {
        return Err(Refused::Forbidden("SigningCertURL is not an SNS certificate URL".into()));
    }
    let kind = text(m, "Type").unwrap_or_default();
    let subscribe = text(m, "SubscribeURL").unwrap_or_default();
    if kind == "SubscriptionConfirmation" && !subscribe_url_ok(subscribe) {
        return Err(Refused::Forbidden("SubscribeURL is not an SNS confirmation URL".into()));
    }
    let pem = fetcher.get(cert_url).await.map_err(Refused::Unavailable)?;
    let version = text(m, "SignatureVersion").unwrap_or_default();
    if !signature_ok(&pem, version, &to_sign, text(m, "Signature").unwrap_or_default()) {
        return Err(Refused::Forbidden("the message's signature does not verify".into()));
    }
    match kind {
        "SubscriptionConfirmation" => {
            fetcher.get(subscribe).await.map_err(Refused::Unavailable)?;
            Ok(Checked::Handled("subscription confirmed"))
        }
        "UnsubscribeConfirmation" => Ok(Checked::Handled("unsubscribe noted")),
        _ => Ok(Checked::Notification),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sns_certificate_urls_are_fetched() {
        let ok =
            "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";
        assert!(certificate_url_ok(ok));
        assert!(certificate_url_ok("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem"));
        for bad in [
            "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
            "https://s3.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1",
            "https://sns.us-east-1.amazonaws.com/bucket/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a/b.pem",
            "https://sns..amazonaws.com/SimpleNotificationService-abc.pem",
        ] {
            assert!(!certificate_url_ok(bad), "{bad}");
        }
        assert!(subscribe_url_ok("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=a&Token=t"));
        assert!(!subscribe_url_ok("https://evil.example/?Action=ConfirmSubscription"));
    }

    #[test]
    fn the_signed_text_follows_the_message_type() {
        let m =
            serde_json::json!({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"hi","Timestamp":"ts"});
        let m = m.as_object().unwrap();
        assert_eq!(
            string_to_sign(m).unwrap(),
            "Message\nhi\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"
        );
        let c = serde_json::json!({"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"hi",
            "Timestamp":"ts","Token":"k","SubscribeURL":"u"});
        assert!(string_to_sign(c.as_object().unwrap()).unwrap().contains("SubscribeURL\nu\nTimestamp\nts\nToken\nk\n"));
    }
}
