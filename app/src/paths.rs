//! Addresses of the console's pages, and the encoding of what goes into them. Server functions
//! redirect to these, so they sit below both the pages and the API.

/// Percent-encodes everything but unreserved characters and those in `keep`.
fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn encode_query_value(s: &str) -> String {
    percent_encode(s, b"/")
}

/// For one path segment, e.g. an AWS ARN as a rotation id (`:` and `/` encoded).
pub fn encode_path_segment(s: &str) -> String {
    percent_encode(s, b"")
}

/// `/rotations/<id>` with the id encoded (AWS ids are ARNs).
pub fn rotation_path(id: &str) -> String {
    format!("/rotations/{}", encode_path_segment(id))
}

/// `/incidents/<id>` with the id encoded (AWS ids are ARNs).
pub fn incident_path(id: &str) -> String {
    format!("/incidents/{}", encode_path_segment(id))
}

/// Declaring an incident.
pub const NEW_INCIDENT_PATH: &str = "/incidents/new";

/// The editor of a new rotation.
pub const NEW_ROTATION_PATH: &str = "/rotations/new";
