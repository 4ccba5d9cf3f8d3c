//! The phrase library (规范用语): the standard wording for each situation a
//! hall clerk or hotline agent meets, per company. The shipped defaults are
//! our own words; administrators replace them for their company.

use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use pledge_domain::Permission;
use pledge_domain::text::Body;
use pledge_store::repo::*;
use serde_json::json;

/// A situation that has a standard phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Situation {
    Greeting,
    PleaseWait,
    CannotAnswerNow,
    Apology,
    Transfer,
    Callback,
    Goodbye,
    OutageExplanation,
}

impl Situation {
    pub const ALL: [Situation; 8] = [
        Self::Greeting,
        Self::PleaseWait,
        Self::CannotAnswerNow,
        Self::Apology,
        Self::Transfer,
        Self::Callback,
        Self::Goodbye,
        Self::OutageExplanation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::PleaseWait => "please_wait",
            Self::CannotAnswerNow => "cannot_answer_now",
            Self::Apology => "apology",
            Self::Transfer => "transfer",
            Self::Callback => "callback",
            Self::Goodbye => "goodbye",
            Self::OutageExplanation => "outage_explanation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The situation's name in Chinese and English.
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Self::Greeting => ("问候", "Greeting"),
            Self::PleaseWait => ("请稍候", "Please wait"),
            Self::CannotAnswerNow => ("暂时无法答复", "Cannot answer now"),
            Self::Apology => ("致歉", "Apology"),
            Self::Transfer => ("转办说明", "Transfer"),
            Self::Callback => ("回访", "Callback"),
            Self::Goodbye => ("结束语", "Goodbye"),
            Self::OutageExplanation => ("停供说明", "Outage explanation"),
        }
    }

    /// The shipped wording, Chinese and English, written for Pledge.
    pub fn default_text(self) -> (&'static str, &'static str) {
        match self {
            Self::Greeting => (
                "您好，这里是客户服务中心，我是{工号}号，很高兴为您服务。请问有什么可以帮您？",
                "Hello, this is the customer service centre, agent {id} speaking. How can I help you today?",
            ),
            Self::PleaseWait => (
                "请您稍等片刻，我马上为您查询，谢谢您的耐心。",
                "Please bear with me a moment while I look this up for you. Thank you for waiting.",
            ),
            Self::CannotAnswerNow => (
                "这个问题需要相关部门核实，暂时无法当场答复。我们已为您登记，会在{期限}前给您回复。",
                "This needs checking by the responsible department, so I cannot answer it right now. It is registered and you will hear from us by {deadline}.",
            ),
            Self::Apology => (
                "给您带来不便，我们深表歉意。我们会尽快处理，并把结果告诉您。",
                "We are sorry for the trouble this has caused you. We will deal with it as quickly as we can and let you know the outcome.",
            ),
            Self::Transfer => (
                "您反映的情况由{部门}负责办理，我已把工单转给他们，工单号是{工单号}，请您记好。",
                "Your matter is handled by {department}. I have passed the case to them; your case number is {number}, please keep it.",
            ),
            Self::Callback => (
                "您好，我们回访一下您前几天反映的问题，请问现在处理结果您满意吗？",
                "Hello, we are calling back about the matter you raised recently. Are you satisfied with how it was resolved?",
            ),
            Self::Goodbye => (
                "感谢您的来电，如还有需要请随时联系我们。祝您生活愉快，再见。",
                "Thank you for contacting us. If you need anything else, please get in touch at any time. Goodbye.",
            ),
            Self::OutageExplanation => (
                "您所在区域因{原因}暂停供应，预计{时间}恢复。恢复前请关闭阀门和开关，注意安全。",
                "Supply in your area is interrupted because of {cause} and is expected back by {time}. Until then, please keep valves and switches closed and stay safe.",
            ),
        }
    }
}

/// A situation with the wording in force for the company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub situation: Situation,
    pub text_zh: String,
    pub text_en: String,
    /// False while the shipped default is in force.
    pub customised: bool,
}

impl App {
    /// The company's phrases, one per situation, in a fixed order.
    #[tracing::instrument(skip(self, actor))]
    pub async fn phrases(&self, actor: &Actor) -> AppResult<Vec<Phrase>> {
        let stored = self.store().read().phrases(actor.staff.company_id).await?;
        Ok(Situation::ALL
            .into_iter()
            .map(|s| match stored.iter().find(|p| p.situation == s.code()) {
                Some(p) => {
                    Phrase { situation: s, text_zh: p.text_zh.clone(), text_en: p.text_en.clone(), customised: true }
                }
                None => {
                    let (zh, en) = s.default_text();
                    Phrase { situation: s, text_zh: zh.into(), text_en: en.into(), customised: false }
                }
            })
            .collect())
    }

    /// Replaces the company's wording for one situation (administrators only).
    #[tracing::instrument(skip(self, actor, text_zh, text_en))]
    pub async fn save_phrase(
        &self,
        actor: &Actor,
        situation: Situation,
        text_zh: &str,
        text_en: &str,
    ) -> AppResult<()> {
        actor.require(Permission::RegistryWrite, "edit the phrase library")?;
        let zh = Body::parse("text_zh", text_zh)
            .map_err(|_| {
                AppError::invalid("invalid_phrase", "text_zh", "the Chinese text is required (up to the body length)")
            })?
            .into_inner();
        let en = Body::parse("text_en", text_en)
            .map_err(|_| {
                AppError::invalid("invalid_phrase", "text_en", "the English text is required (up to the body length)")
            })?
            .into_inner();
        let (company, who, at) = (actor.staff.company_id, actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                tx.save_phrase(company, situation.code(), &zh, &en, who, at).await?;
                event(tx, Some(who), None, "phrase.updated", json!({"situation": situation.code()}), at).await?;
                Ok(())
            })
            .await
    }
}
