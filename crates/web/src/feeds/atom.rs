//! The Atom feed of outage notices (RFC 4287). Each entry links to the
//! latest CAP message of its outage, so the feed doubles as the CAP index.

use super::{Notice, offset_time, summary_zh, title_zh, updated, xml_escape};
use jiff::Timestamp;

/// The feed's id: a tag URI (RFC 4151) that never changes.
pub const FEED_ID: &str = "tag:pledge.invalid,2026:outages";

/// The feed; `base` is the site's absolute URL without a trailing slash.
pub fn feed(notices: &[Notice], base: &str, now: Timestamp) -> String {
    let feed_updated = notices.iter().map(updated).max().unwrap_or(now);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    x.push_str(&format!(
        "  <id>{FEED_ID}</id>\n  <title>停供公告 · Outage notices</title>\n  <updated>{}</updated>\n",
        offset_time(feed_updated)
    ));
    x.push_str("  <author><name>Pledge</name></author>\n");
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/feeds/outages.atom"))
    ));
    x.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/public/outages"))
    ));
    for n in notices {
        let o = &n.outage;
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <id>{FEED_ID}:{}</id>\n", o.id));
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&title_zh(o))));
        x.push_str(&format!("    <updated>{}</updated>\n", offset_time(o.updated_at)));
        x.push_str(&format!("    <published>{}</published>\n", offset_time(o.announced_at.unwrap_or(o.created_at))));
        x.push_str(&format!("    <author><name>{}</name></author>\n", xml_escape(&n.company_name)));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"{}\"/>\n",
            xml_escape(&match &n.latest_cap {
                Some(m) => super::cap::message_url(base, m),
                None => format!("{base}/feeds/outages/{}.cap", o.id),
            })
        ));
        x.push_str(&format!("    <category term=\"{}\"/>\n", o.utility.code()));
        x.push_str(&format!("    <summary type=\"text\">{}</summary>\n", xml_escape(&summary_zh(n))));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
