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
        // Outages (停供).
        "invalid_outage_kind" => "停供类型须为 planned（计划）或 emergency（紧急）；temporary（临时检修）仅用于供电",
        "invalid_outage_state" => "停供状态不正确",
        "invalid_effect" => "停供方式须为 stop（停止供应）或 pressure_reduction（降压）",
        "invalid_suspect_state" => "疑似停供状态不正确",
        "invalid_grouping" => "聚类条件不正确（2 至 1000 个来电，1 至 1440 分钟内）",
        "restore_before_start" => "预计恢复时间须晚于开始时间",
        "start_in_past" => "计划停供的开始时间须在将来",
        "outage_overlap" => "同一节点在重叠的时间内已有停供，请勿重复发布",
        "lead_time_too_short" => {
            "距开始时间不足该停供适用规则规定的提前通知时间，须值班经理填写原因后方可发布或变更，并计为承诺违约"
        }
        "restore_outside_window" => "通知的恢复时间不在允许的恢复时段内",
        "restore_too_soon" => "恢复通知发出后须间隔规定时间方可恢复供应",
        "outside_restore_window" => "燃气只能在 8:00 至 20:00 之间恢复供应",
        "restore_notice_first" => "恢复供气前须先通知用户",
        "restore_unannounced" => "紧急停供须先发布停供通知（C4a：立即告知用户），方可恢复供应",
        "invalid_routing_purpose" => "分派用途不存在（可选：engineering、management_copy）",
        "illegal_outage_transition" => "停供当前状态不允许此操作",
        "not_emergency" => "只有紧急停供需要报告主管部门",
        "already_reported" => "已报告主管部门",
        "suspect_decided" => "该疑似停供已处理",
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
        "policy_syntax" => "策略文件无法读取（不是有效的 TOML，或字段缺失、类型错误、字段名未知）",
        "policy_duplicate_rule" => "承诺编号重复",
        "policy_unknown_event" => "策略中有未知的事件名称",
        "policy_unknown_utility" => "策略中有未知的行业（gas、water、heat、power 或 all）",
        "policy_unknown_kind" => "策略中有未知的对象、工单类型、子类型、用户类别、停供类型或升级对象",
        "policy_event_not_for_subject" => "该事件不会发生在此承诺的对象上",
        "policy_not_positive" => "时长、提前量、间隔或目标须为正整数",
        "policy_duration_units" => "时长须且只能使用 minutes、hours、working_days、calendar_days 中的一个单位",
        "policy_invalid_window" => "每日时段不正确（须为 HH:MM，且结束晚于开始）",
        "policy_invalid_season" => "季节起止不正确（须为 MM-DD，且不能是同一天）",
        "policy_invalid_warn_at" => "预警比例不正确（须在 0 与 1 之间、严格递增、至多 8 个）",
        "policy_start_is_stop" => "同一事件不能既开始又停止计时",
        "policy_missing" => "承诺缺少必填项",
        "policy_conflict" => "承诺中有不能同时使用的字段",
        "policy_version_not_newer" => "策略版本号须大于当前版本，请先调高 version",
        "calendar_conflicting_day" => "同一天不能既是放假日又是调休上班日",
        "calendar_duplicate_day" => "同一日期在年度安排表中重复出现",
        "calendar_date_outside_year" => "日期不属于该年度安排表的年份，请记入相应年份的安排表",
        "calendar_invalid_span" => "放假区间的结束日早于开始日",
        "calendar_makeup_not_weekend" => "调休上班日只能是星期六或星期日",
        "calendar_incomplete_table" => "年度安排表不完整（须填写通知来源、节日中英文名称和日期）",
        "calendar_year_out_of_range" => "年份超出可接受的范围",
        "calendar_duplicate_year" => "日历中已有该年的安排表",
        "calendar_coverage_gap" => "日历覆盖的年份须连续，不能留有空缺年份",
        "calendar_empty" => "工作日历至少需要一年的安排表",
        "calendar_invalid_range" => "日期区间的结束日早于开始日",
        "calendar_invalid_data" => "年度安排表不是所需格式的 JSON",
        "calendar_time_zone" => "无法按 Asia/Shanghai 时区计算",
        "calendar_year_mismatch" => "安排表中的年份与地址中的年份不一致",
        "calendar_range_too_long" => "一次最多查询 366 天",
        "invalid_date" => "日期格式不正确（请用 YYYY-MM-DD，如 2026-11-23）",
        "unknown_crew" => "派工对象不存在",
        "not_a_field_technician" => "派工单只能派给在岗的维修人员",
        "invalid_fee" => "费用须在 0 至 1,000,000 元之间（以分计）",
        "invalid_appointment" => "预约时间不正确（须同时填写起止时间，且结束晚于开始）",
        "template_unknown_topic" => "没有这个通知主题",
        "template_empty" => "通知模板的标题和正文不能为空",
        "template_too_long" => "通知模板过长（标题至多 200 字，正文至多 2000 字）",
        "template_unbalanced_braces" => "通知模板中的花括号不成对（占位符写作 {area}，字面花括号写作 {{ 或 }}）",
        "template_unknown_placeholder" => "通知模板使用了该主题没有的占位符",
        "invalid_locale" => "语言须为 zh-CN 或 en",
        "invalid_email" => "电子邮件地址格式不正确",
        "invalid_delivery_state" => "投递状态须为 queued、sending、sent、retrying 或 dead",
        "notification_not_retryable" => "只有投递失败（dead）或等待重试的通知可以重发",
        "phone_on_customer_record" => "用户的电话请在用户资料中修改",
        "unavailable" => "服务暂时不可用，请稍后重试",
        "internal" => "系统内部错误，已记录日志",
        "missing_field" => "请填写必填项",
        "extension_not_later" => "新期限须晚于当前期限",
        "clock_stopped" => "该计时已结束",
        "clock_ended" => "该时限已结束，不能撤销",
        "clock_overdue" => "该时限已到期，已发生的超时不能撤销",
        "clock_withdrawal_incomplete" => "撤销时限须填写原因",
        "already_decided" => "该延期申请已处理",
        "invalid_phrase" => "请填写中英文用语",
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
