//! The phrase library: a company's own wording for each situation. Only
//! edited phrases are stored; the shipped defaults live in the app layer.

use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::row::{FromRow, Row};

impl FromRow for StoredPhrase {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StoredPhrase {
            situation: r.get("situation")?,
            text_zh: r.get("text_zh")?,
            text_en: r.get("text_en")?,
            updated_by: r.opt_id("updated_by")?,
            updated_at: r.ts("updated_at")?,
        })
    }
}

/// Reading the phrase library. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait PhraseReads {
    /// Every phrase the company has edited.
    fn phrases(&self, company_id: CompanyId) -> impl Future<Output = Result<Vec<StoredPhrase>>> + Send;
}

impl PhraseReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn phrases(&self, company_id: CompanyId) -> Result<Vec<StoredPhrase>> {
        self.fetch_all(
            "SELECT situation, text_zh, text_en, updated_by, updated_at FROM phrases WHERE company_id = $1 ORDER BY situation",
            vec![company_id.bind()],
        )
        .await
    }
}

/// Editing the phrase library. Implemented for [`Tx`]: inside a write transaction.
pub trait PhraseWrites {
    /// Stores the company's wording for a situation, replacing any earlier one.
    fn save_phrase(
        &mut self,
        company_id: CompanyId,
        situation: &str,
        text_zh: &str,
        text_en: &str,
        by: StaffId,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl PhraseWrites for Tx {
    #[tracing::instrument(skip(self, text_zh, text_en))]
    async fn save_phrase(
        &mut self,
        company_id: CompanyId,
        situation: &str,
        text_zh: &str,
        text_en: &str,
        by: StaffId,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO phrases (company_id, situation, text_zh, text_en, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (company_id, situation) DO UPDATE SET text_zh = excluded.text_zh, text_en = excluded.text_en, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                vec![company_id.bind(), situation.into(), text_zh.into(), text_en.into(), by.bind(), at_us.into()],
            )
            .await?;
        Ok(())
    }
}
