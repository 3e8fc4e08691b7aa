//! Checking AWS Signature Version 4 on requests to the console's SSM API. The client signs with a
//! key the console issued; the console recomputes the signature with the stored secret. Only the
//! headers the client listed as signed take part, so proxies may add others.

use std::fmt::Write;

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How far a request's `X-Amz-Date` may be from the console's clock (AWS allows 15 minutes).
const MAX_SKEW_SECS: i64 = 15 * 60;

/// Why a request is not accepted; each becomes an AWS-style 403.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Missing Authentication Token")]
    Missing,
    #[error("Authorization header is malformed: {0}")]
    Malformed(&'static str),
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error("Credential should be scoped to a valid service ({0}).")]
    WrongService(String),
    #[error("Signature expired: the request time is more than 15 minutes from the server time.")]
    Expired,
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
    )]
    BadSignature,
}

impl AuthError {
    /// The AWS error type clients see.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "MissingAuthenticationTokenException",
            AuthError::UnknownKey => "UnrecognizedClientException",
            AuthError::Malformed(_) | AuthError::WrongService(_) => "IncompleteSignatureException",
            AuthError::Expired | AuthError::BadSignature => "InvalidSignatureException",
        }
    }
}

/// What the `Authorization` header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    signature: String,
}

pub fn parse_authorization(headers: &HeaderMap) -> Result<Authorization, AuthError> {
    let value = headers.get(http::header::AUTHORIZATION).ok_or(AuthError::Missing)?;
    let value = value.to_str().map_err(|_| AuthError::Malformed("not text"))?;
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or(AuthError::Malformed("not AWS4-HMAC-SHA256"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or(AuthError::Malformed("no Credential"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(AuthError::Malformed("Credential is not key/date/region/service/aws4_request"));
    };
    let signed_headers: Vec<String> =
        signed.ok_or(AuthError::Malformed("no SignedHeaders"))?.split(';').map(str::to_owned).collect();
    let signed = |name: &str| signed_headers.iter().any(|h| h == name);
    if !signed("host") {
        return Err(AuthError::Malformed("host must be signed"));
    }
    if headers.contains_key("x-amz-date") && !signed("x-amz-date") {
        return Err(AuthError::Malformed("x-amz-date must be signed"));
    }
    // A JSON-protocol call (SSM Contacts) names its operation in X-Amz-Target and how its body is
    // read in Content-Type: unsigned, a captured GetContact could be replayed as DeleteContact.
    // The AWS SDKs, the CLI and botocore sign both.
    if headers.contains_key("x-amz-target") {
        if !signed("x-amz-target") {
            return Err(AuthError::Malformed("x-amz-target must be signed"));
        }
        if headers.contains_key(http::header::CONTENT_TYPE) && !signed("content-type") {
            return Err(AuthError::Malformed("content-type must be signed"));
        }
    }
    Ok(Authorization {
        access_key_id: (*key).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers,
        signature: signature.ok_or(AuthError::Malformed("no Signature"))?.to_owned(),
    })
}

/// The parts of a request that a signature covers.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// As sent: percent-encoded once.
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Signs a request (what an SDK does): the `Authorization` header value for the given signed
/// headers, which `req.headers` must hold, `x-amz-date` among them.
pub fn sign(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    secret: &str,
    region: &str,
    service: &str,
    signed_headers: &[&str],
) -> String {
    let amz_date = header(req.headers, "x-amz-date").unwrap_or_default();
    let date = amz_date.get(..8).unwrap_or_default().to_owned();
    let auth = Authorization {
        access_key_id: access_key_id.to_owned(),
        date,
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers.iter().map(|h| (*h).to_owned()).collect(),
        signature: String::new(),
    };
    let signature = hex::encode(signing_mac(req, &auth, &amz_date, secret).finalize().into_bytes());
    format!(
        "AWS4-HMAC-SHA256 Credential={access_key_id}/{}/{region}/{service}/aws4_request, SignedHeaders={}, Signature={signature}",
        auth.date,
        auth.signed_headers.join(";")
    )
}

/// The HMAC over the request's string to sign, keyed with the key derived for its scope.
fn signing_mac(req: &SignedRequest<'_>, auth: &Authorization, amz_date: &str, secret: &str) -> HmacSha256 {
    let scope = format!("{}/{}/{}/aws4_request", auth.date, auth.region, auth.service);
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical_request(req, auth))));
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    for part in [auth.region.as_bytes(), auth.service.as_bytes(), b"aws4_request"] {
        key = hmac(&key, part);
    }
    let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// Checks the signature and the request time.
pub fn verify(
    req: &SignedRequest<'_>,
    auth: &Authorization,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    let amz_date = header(req.headers, "x-amz-date").ok_or(AuthError::Malformed("no X-Amz-Date"))?;
    let at = NaiveDateTime::parse_from_str(&amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| AuthError::Malformed("X-Amz-Date is not yyyymmddThhmmssZ"))?
        .and_utc();
    if (now - at).num_seconds().abs() > MAX_SKEW_SECS {
        return Err(AuthError::Expired);
    }
    if !amz_date.starts_with(&auth.date) {
        return Err(AuthError::Malformed("Credential date differs from X-Amz-Date"));
    }
    let expected = hex::decode(&auth.signature).map_err(|_| AuthError::BadSignature)?;
    // verify_slice compares in constant time.
    signing_mac(req, auth, &amz_date, secret).verify_slice(&expected).map_err(|_| AuthError::BadSignature)
}

fn canonical_request(req: &SignedRequest<'_>, auth: &Authorization) -> String {
    let mut headers = String::new();
    for name in &auth.signed_headers {
        let _ = writeln!(headers, "{name}:{}", header(req.headers, name).unwrap_or_default());
    }
    format!(
        "{}\n{}\n{}\n{headers}\n{}\n{}",
        req.method,
        uri_encode(req.path, false),
        canonical_query(req.query),
        auth.signed_headers.join(";"),
        hex::encode(Sha256::digest(req.body)),
    )
}

/// All values of a header, trimmed, inner runs of spaces collapsed, joined by commas.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), true), uri_encode(&percent_decode(v), true))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// SigV4's encoding: everything but `A-Za-z0-9-_.~` (and `/` in paths) as `%XX`.
fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (b == b'/' && !encode_slash) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `get-vanilla` case of AWS's published SigV4 test suite.
    #[test]
    fn matches_the_published_example() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
                .parse()
                .unwrap(),
        );
        let req = SignedRequest { method: "GET", path: "/", query: "", headers: &headers, body: b"" };
        let auth = parse_authorization(&headers).unwrap();
        let at = DateTime::parse_from_rfc3339("2015-08-30T12:36:00Z").unwrap().with_timezone(&Utc);
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        assert_eq!(verify(&req, &auth, secret, at), Ok(()));
        assert_eq!(verify(&req, &auth, "another secret", at), Err(AuthError::BadSignature));
        assert_eq!(verify(&req, &auth, secret, at + chrono::Duration::minutes(16)), Err(AuthError::Expired));
    }

    #[test]
    fn query_is_sorted_and_reencoded() {
        assert_eq!(canonical_query("b=2&a=x%3Ay&a=1"), "a=1&a=x%3Ay&b=2");
        assert_eq!(uri_encode("/tags/arn%3Aaws", false), "/tags/arn%253Aaws");
    }
}
