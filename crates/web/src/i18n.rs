//! The request's language: zh-CN unless the client asks for English.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being served (zh-CN outside a request).
pub fn current_lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::Zh)
}

/// Picks English only when the client prefers it over Chinese.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(h) = accept_language else { return Lang::Zh };
    for part in h.split(',') {
        let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            return Lang::Zh;
        }
        if tag.starts_with("en") {
            return Lang::En;
        }
    }
    Lang::Zh
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let lang = negotiate(req.headers().get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    LANG.scope(lang, next.run(req)).await
}

/// Chinese messages for the stable error codes.
pub fn zh_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "not_found" => "找不到该记录",
        "unauthenticated" => "请先登录（用户名或密码错误，或登录已过期）",
        "forbidden" => "您的角色无权执行此操作",
        "illegal_transition" => "工单当前状态不允许此操作",
        "conflict" => "记录与已有数据冲突",
        "stale_case" => "工单已被他人修改，请刷新后重试",
        "malformed_json" => "请求内容不是有效的 JSON",
        "invalid_body" => "请求内容的字段或类型不正确",
        "unsupported_media_type" => "请求须为 application/json",
        "payload_too_large" => "请求内容过大",
        "invalid_query" => "查询参数不正确",
        "invalid_path" => "地址中的编号不正确",
        "invalid_customer_number" => "户号须为 6 至 20 位数字",
        "invalid_phone" => "电话号码格式不正确（手机 11 位，固话须带区号）",
        "invalid_account_name" => "户名须为 1 至 100 个字符",
        "invalid_address" => "请填写 1 至 100 个字符的地址",
        "invalid_subject" => "请填写 1 至 100 个字符的标题",
        "invalid_text" => "文字内容为空、过长或含有控制字符",
        "invalid_kind" => "工单类型不正确",
        "invalid_subkind" => "工单子类型不正确",
        "subkind_mismatch" => "子类型与工单类型不符",
        "invalid_channel" => "受理渠道不正确",
        "invalid_state" => "工单状态不正确",
        "invalid_utility" => "行业类型不正确（燃气、供水、供热、供电）",
        "invalid_category" => "用户类别不正确（居民、非居民）",
        "invalid_zone" => "区域不正确（城区、农村）",
        "invalid_special_care" => "特殊关怀标记不正确",
        "invalid_role" => "角色不正确",
        "invalid_level" => "管网节点层级不正确",
        "invalid_time" => "时间格式不正确（请用 RFC 3339，如 2026-11-23T09:00:00+08:00）",
        "invalid_sort" => "排序方式不正确",
        "invalid_username" => "用户名须为 3 至 40 位字母、数字或 . _ -",
        "weak_password" => "密码至少 8 个字符",
        "invalid_floor_area" => "建筑面积须在 1 至 1,000,000 平方米之间",
        "unknown_department" => "部门不存在",
        "unknown_staff" => "员工不存在或已停用",
        "unknown_customer" => "用户不存在",
        "unknown_case" => "工单不存在",
        "unknown_node" => "管网节点不存在",
        "unknown_reference" => "引用的记录不存在",
        "node_utility_mismatch" => "该节点属于其他行业的管网",
        "duplicate_customer_number" => "该户号已存在",
        "anonymous_not_allowed" => "只有举报可以匿名",
        "anonymous_with_identity" => "匿名举报不能填写姓名、电话或户号",
        "reason_required" => "请填写原因",
        "invalid_wait" => "等待对象须为 customer 或 work_order",
        "already_there" => "工单已在该部门",
        "already_acknowledged" => "该联已签收",
        "already_linked" => "该工单已关联到其他工单",
        "self_link" => "工单不能与自身关联",
        "link_loop" => "该工单已是本工单的重复件",
        "case_closed" => "工单已办结，请先重新打开",
        "method_not_allowed" => "该地址不支持此请求方法",
        "invalid_group" => "分组方式须为 rule、utility 或 department",
        "extension_refused" => "延期不被接受（新期限须晚于当前期限，且计时未结束）",
        "calendar_not_covered" => "法定工作日历尚未覆盖该年份，请管理员先添加该年的节假日安排",
        "unavailable" => "服务暂时不可用，请稍后重试",
        "internal" => "系统内部错误，已记录日志",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default_and_english_is_chosen_when_preferred() {
        assert_eq!(negotiate(None), Lang::Zh);
        assert_eq!(negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(negotiate(Some("fr-FR")), Lang::Zh);
    }
}
