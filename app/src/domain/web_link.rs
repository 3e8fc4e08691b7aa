//! Whether an address from outside may become a link. Alerts carry runbook, dashboard and
//! generator URLs; incidents carry related links; anyone holding an integration's secret or the
//! SSM API can put any text there. A `javascript:` or `data:` "link" clicked on the console's own
//! origin would run the sender's script with the clicker's session, so every page, message,
//! export and island asks [`web_link`] and shows anything it refuses as plain text.
//!
//! The rule is deliberately narrow: what the browser will open must be exactly what was checked.
//! Browsers drop tabs and newlines inside a URL, trim spaces and control characters at its ends,
//! and read `\` as `/` in http(s) URLs, so text with any of those inside is refused rather than
//! normalised; so is a URL with user info (`https://trusted.example@evil.example/`), which reads as
//! one host and opens another.

/// The longest address made into a link (browsers and proxies cope with far more, people don't).
pub const MAX_LINK_LEN: usize = 2048;

/// `raw` (trimmed) if it is an `http://` or `https://` URL with a host, and nothing a browser
/// would read differently; otherwise `None`, and the text is shown as text.
pub fn web_link(raw: &str) -> Option<&str> {
    let url = raw.trim();
    if url.is_empty() || url.len() > MAX_LINK_LEN {
        return None;
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return None;
    }
    let rest = strip_prefix_ignore_case(url, "https://").or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || authority.starts_with(':') {
        return None;
    }
    Some(url)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_and_https_addresses_become_links() {
        for ok in [
            "https://grafana.example.com/d/checkout?from=now-1h#panel",
            "http://prom:9090/graph?g0.expr=up",
            "  https://wiki.example.com/runbooks/db  ",
            "HTTPS://EXAMPLE.COM/",
            "https://[::1]:8443/x",
        ] {
            assert_eq!(web_link(ok), Some(ok.trim()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(document.domain)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "https:alert(1)",
            "https:/evil.example",
            "https:\\\\evil.example",
            "https://\\evil.example",
            "//evil.example/x",
            "/relative/path",
            "https://",
            "https:///path",
            "https://:443/x",
            "https://trusted.example@evil.example/",
            "http://127.0.0.1:80@evil.example/hook",
            "https://exa mple.com",
            "https://example.com/\nx",
            "https://example.com/\u{0}x",
            "https://example.com/\u{85}x",
            "ftp://example.com/file",
            "",
        ] {
            assert_eq!(web_link(bad), None, "{bad:?}");
        }
        assert_eq!(web_link(&format!("https://x/{}", "a".repeat(MAX_LINK_LEN))), None, "too long");
    }
}
