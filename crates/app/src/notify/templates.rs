//! Message templates per company, topic and language: the company's own
//! where saved, the shipped defaults otherwise. Saved templates are parsed
//! first, so a malformed one never reaches a customer.

use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::Permission;
use pledge_domain::ids::*;
use pledge_domain::model::StoredTemplate;
use pledge_domain::notify::{Locale, TOPICS, Template, TemplateError, topic_vars};
use pledge_store::Exec;
use pledge_store::repo::*;
use std::collections::HashMap;

/// A template as administrators see it.
#[derive(Debug, Clone)]
pub struct TemplateView {
    pub topic: String,
    pub locale: Locale,
    pub subject: String,
    pub body: String,
    /// `company` when the company saved its own, `shipped` for the default.
    pub source: &'static str,
    pub placeholders: &'static [&'static str],
    pub updated_at: Option<i64>,
}

impl From<TemplateError> for AppError {
    fn from(e: TemplateError) -> Self {
        AppError::Invalid { code: e.code(), field: e.field(), message: e.to_string() }
    }
}

/// Everything needed to render a company's messages.
pub(crate) struct Renderer {
    templates: HashMap<(String, Locale), Template>,
    company: String,
    hotline: String,
}

impl Renderer {
    pub(crate) async fn load(read: Exec<'_>, company_id: CompanyId) -> AppResult<Renderer> {
        // The shipped templates, parsed once per load, overridden by the company's own.
        let mut templates: HashMap<(String, Locale), Template> = TOPICS
            .iter()
            .flat_map(|(topic, _)| {
                Locale::ALL
                    .into_iter()
                    .filter_map(move |l| Template::shipped(topic, l).map(|t| (((*topic).to_owned(), l), t)))
            })
            .collect();
        for s in read.notification_templates(company_id).await? {
            // A stored template that no longer parses (say, a placeholder a
            // later version dropped) falls back to the shipped one.
            match Template::parse(&s.topic, s.locale, &s.subject, &s.body) {
                Ok(t) => {
                    templates.insert((s.topic.clone(), s.locale), t);
                }
                Err(e) => {
                    tracing::warn!(company_id = company_id.get(), topic = %s.topic, error = %e, "stored template ignored")
                }
            }
        }
        let company = read.companies().await?.into_iter().find(|c| c.id == company_id);
        let (company, hotline) = company.map(|c| (c.name, c.hotline)).unwrap_or_default();
        Ok(Renderer { templates, company, hotline })
    }

    /// Subject and body of a message, or None when the topic has no template.
    pub(crate) fn render(&self, topic: &str, locale: Locale, vars: &serde_json::Value) -> Option<(String, String)> {
        let t = self.templates.get(&(topic.to_owned(), locale))?;
        let mut vars = vars.clone();
        if let Some(o) = vars.as_object_mut() {
            o.entry("company").or_insert_with(|| self.company.clone().into());
            o.entry("hotline").or_insert_with(|| self.hotline.clone().into());
        }
        Some((t.subject.render(&vars, locale), t.body.render(&vars, locale)))
    }
}

fn parse_locale(raw: &str) -> AppResult<Locale> {
    Locale::parse(raw).ok_or_else(|| {
        AppError::invalid("invalid_locale", "locale", format!("unknown language {raw:?}; use zh-CN or en"))
    })
}

impl App {
    /// Every topic's template in both languages, as in force for the actor's company.
    pub async fn notification_templates(&self, actor: &Actor) -> AppResult<Vec<TemplateView>> {
        actor.require(Permission::RegistryWrite, "edit notification templates")?;
        let stored = self.store().read().notification_templates(actor.staff.company_id).await?;
        let mut out = Vec::new();
        for (topic, vars) in TOPICS {
            for locale in Locale::ALL {
                let view = match stored.iter().find(|s| s.topic == *topic && s.locale == locale) {
                    Some(s) => TemplateView {
                        topic: s.topic.clone(),
                        locale,
                        subject: s.subject.clone(),
                        body: s.body.clone(),
                        source: "company",
                        placeholders: vars,
                        updated_at: Some(s.updated_at),
                    },
                    None => {
                        let t = Template::shipped(topic, locale)
                            .ok_or_else(|| AppError::Internal(format!("no shipped template for {topic}")))?;
                        TemplateView {
                            topic: (*topic).to_owned(),
                            locale,
                            subject: t.subject.source().to_owned(),
                            body: t.body.source().to_owned(),
                            source: "shipped",
                            placeholders: vars,
                            updated_at: None,
                        }
                    }
                };
                out.push(view);
            }
        }
        Ok(out)
    }

    /// Replaces the company's template for `topic` in `locale`, after checking it.
    #[tracing::instrument(skip(self, actor, subject, body))]
    pub async fn put_notification_template(
        &self,
        actor: &Actor,
        topic: &str,
        locale: &str,
        subject: String,
        body: String,
    ) -> AppResult<TemplateView> {
        actor.require(Permission::RegistryWrite, "edit notification templates")?;
        let locale = parse_locale(locale)?;
        let parsed = Template::parse(topic, locale, &subject, &body)?;
        let placeholders = topic_vars(topic).unwrap_or(&[]);
        let now = self.now().as_microsecond();
        let stored = StoredTemplate {
            topic: parsed.topic.clone(),
            locale,
            subject,
            body,
            updated_by: Some(actor.id()),
            updated_at: now,
        };
        let company = actor.staff.company_id;
        let s = stored.clone();
        self.writer.write(async move |tx| Ok(tx.put_notification_template(company, &s).await?)).await?;
        Ok(TemplateView {
            topic: stored.topic,
            locale,
            subject: stored.subject,
            body: stored.body,
            source: "company",
            placeholders,
            updated_at: Some(now),
        })
    }
}

pub(crate) fn locale_of(raw: &str) -> AppResult<Locale> {
    parse_locale(raw)
}
