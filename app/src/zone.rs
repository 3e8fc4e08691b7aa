//! Which time zone the viewer reads times in, and how a time is shown.
//!
//! Pages render on the server, so the viewer's zone travels in a cookie: a few lines of script
//! in the page head copy the browser's zone into it (unless the viewer chose one with the zone
//! switch); without script, Japanese readers see Asia/Tokyo and everyone else UTC until they
//! choose. Every time is shown in that zone with its abbreviation, and carries UTC in its title.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::domain::timezone::parse_time_zone;
use crate::i18n::Locale;

/// The viewer's IANA zone.
pub const ZONE_COOKIE: &str = "tz";
/// Set when the viewer picked the zone by hand: the script then leaves the cookie alone.
pub const ZONE_FIXED_COOKIE: &str = "tzfixed";

/// Copies the browser's zone into the cookie for the next page (kept tiny: every page has it).
pub const ZONE_SCRIPT: &str = "try{var c=document.cookie;if(!/(^|; )tzfixed=1/.test(c)){var z=encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone||'');if(z&&!new RegExp('(^|; )tz='+z+'(;|$)').test(c))document.cookie='tz='+z+';path=/;max-age=31536000;samesite=lax'}}catch(e){}";

/// The zone to use when the viewer's is unknown.
pub fn default_zone(locale: Locale) -> &'static str {
    match locale {
        Locale::Ja => "Asia/Tokyo",
        Locale::En => "UTC",
    }
}

/// The zone named in a `Cookie` header, if it is a known IANA zone.
pub fn zone_from_cookies(cookie_header: &str) -> Option<String> {
    cookie_header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        if k != ZONE_COOKIE {
            return None;
        }
        let name = v.replace("%2F", "/").replace("%2f", "/");
        parse_time_zone(&name).map(|_| name)
    })
}

/// The viewer's zone for the page being rendered.
pub fn viewer_zone(locale: Locale) -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| p.headers.get(http::header::COOKIE)?.to_str().ok().and_then(zone_from_cookies))
            .unwrap_or_else(|| default_zone(locale).to_owned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        default_zone(locale).to_owned()
    }
}

/// `2026-11-29 15:00 JST`: an instant in `zone` (UTC if the zone is unknown).
pub fn format_in(at: DateTime<Utc>, zone: &str, pattern: &str) -> String {
    match parse_time_zone(zone) {
        Some(tz) => at.with_timezone(&tz).format(pattern).to_string(),
        None => at.format(pattern).to_string(),
    }
}

pub fn instant(epoch: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(epoch, 0).unwrap_or_default()
}

/// A time in the viewer's (or the context's) zone, with UTC in its title and machine form.
#[component]
pub fn When(at: i64, #[prop(into)] zone: String) -> impl IntoView {
    let t = instant(at);
    view! {
        <time datetime=t.format("%Y-%m-%dT%H:%M:%SZ").to_string() title=t.format("%Y-%m-%d %H:%M:%S UTC").to_string()>
            {format_in(t, &zone, "%Y-%m-%d %H:%M %Z")}
        </time>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_cookie_is_read_only_when_it_names_a_zone() {
        assert_eq!(zone_from_cookies("a=b; tz=Asia%2FTokyo"), Some("Asia/Tokyo".into()));
        assert_eq!(zone_from_cookies("tz=America/New_York"), Some("America/New_York".into()));
        assert_eq!(zone_from_cookies("tz=Mars/Olympus"), None);
        assert_eq!(zone_from_cookies("tzfixed=1"), None);
    }

    #[test]
    fn times_show_in_the_zone_with_its_abbreviation() {
        let t = instant(1_795_512_600); // 2026-11-24 09:30 UTC
        assert_eq!(format_in(t, "Asia/Tokyo", "%Y-%m-%d %H:%M %Z"), "2026-11-24 18:30 JST");
        assert_eq!(format_in(t, "UTC", "%H:%M %Z"), "09:30 UTC");
    }
}
