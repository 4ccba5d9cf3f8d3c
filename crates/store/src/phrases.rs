//! The phrase library: a company's own wording for each situation. Only
//! edited phrases are stored; the shipped defaults live in the app layer.

use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::records::ts;
use crate::records::*;

impl Exec<'_> {
    /// Every phrase the company has edited.
    #[tracing::instrument(skip(self))]
    pub async fn phrases(&self, company_id: i64) -> Result<Vec<StoredPhrase>> {
        let rows = self
            .all(
                "SELECT situation, text_zh, text_en, updated_by, updated_at FROM phrases WHERE company_id = $1 ORDER BY situation",
                vec![company_id.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredPhrase {
                    situation: r.try_get("", "situation")?,
                    text_zh: r.try_get("", "text_zh")?,
                    text_en: r.try_get("", "text_en")?,
                    updated_by: r.try_get("", "updated_by")?,
                    updated_at: ts(r.try_get("", "updated_at")?)?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// Stores the company's wording for a situation, replacing any earlier one.
    #[tracing::instrument(skip(self, text_zh, text_en))]
    pub async fn save_phrase(
        &mut self,
        company_id: i64,
        situation: &str,
        text_zh: &str,
        text_en: &str,
        by: i64,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO phrases (company_id, situation, text_zh, text_en, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (company_id, situation) DO UPDATE SET text_zh = excluded.text_zh, text_en = excluded.text_en, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                vec![company_id.into(), situation.into(), text_zh.into(), text_en.into(), by.into(), at_us.into()],
            )
            .await?;
        Ok(())
    }
}
