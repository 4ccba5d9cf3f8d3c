//! The public outage page: a plain, server-rendered list (the portal will
//! style it later).

use super::{Notice, local_time, title_zh, xml_escape};
use pledge_domain::outage::OutageState;

pub fn page(notices: &[Notice]) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>停供公告 · Outage notices</title>\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/feeds/outages.atom\" title=\"Atom\">\n\
         <link rel=\"alternate\" type=\"text/calendar\" href=\"/feeds/outages.ics\" title=\"iCalendar\">\n</head>\n<body>\n<h1>停供公告 <small>Outage notices</small></h1>\n",
    );
    if notices.is_empty() {
        h.push_str("<p>目前没有停供公告。 <span lang=\"en\">No outages announced.</span></p>\n");
    }
    h.push_str("<ul>\n");
    for n in notices {
        let o = &n.outage;
        h.push_str(&format!("<li id=\"outage-{}\">\n<h2>{}</h2>\n<dl>\n", o.id, xml_escape(&title_zh(o))));
        let mut row = |k: &str, v: &str| h.push_str(&format!("<dt>{k}</dt><dd>{}</dd>\n", xml_escape(v)));
        row("状态 Status", o.state.name_zh());
        row("影响范围 Area", &o.area);
        row("原因 Cause", &o.reason);
        row("开始时间 Starts", &local_time(o.starts_at));
        row("预计恢复 Expected back", &local_time(o.expected_restore_at));
        if let Some(r) = o.restored_at {
            row("恢复时间 Restored", &local_time(r));
        }
        if o.state != OutageState::Cancelled {
            row("咨询电话 Hotline", &n.hotline);
        }
        row("发布单位 Published by", &n.company_name);
        h.push_str(&format!("</dl>\n<p><a href=\"/feeds/outages/{}.cap\">CAP 1.2</a></p>\n</li>\n", o.id));
    }
    h.push_str("</ul>\n</body>\n</html>\n");
    h
}
