//! The append-only ledger: events are appended inside the transaction that
//! makes the change, chained to the previous event's hash.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::ledger::{EventBody, Hash, StoredEvent};

impl FromRow for LedgerHead {
    fn from_row(r: Row<'_>) -> Result<Self> {
        let hash: String = r.get("hash")?;
        Ok(LedgerHead {
            seq: r.get("seq")?,
            hash: Hash::from_hex(&hash).ok_or_else(|| StoreError::Corrupt("ledger head hash".into()))?,
        })
    }
}

impl FromRow for Event {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Event {
            seq: r.id("seq")?,
            case_id: r.opt_id("case_id")?,
            actor_id: r.opt_id("actor_id")?,
            kind: r.get("kind")?,
            payload: r.json("payload", "event payload")?,
            at: r.ts("at")?,
        })
    }
}

impl FromRow for StoredEvent {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StoredEvent {
            seq: r.id("seq")?,
            case_id: r.opt_id("case_id")?,
            actor_id: r.opt_id("actor_id")?,
            kind: r.get("kind")?,
            payload: r.get("payload")?,
            at_us: r.get("at")?,
            prev_hash: r.get("prev_hash")?,
            hash: r.get("hash")?,
        })
    }
}

impl Tx {
    async fn load_head(&mut self) -> Result<LedgerHead> {
        if let Some(h) = &self.head {
            return Ok(h.clone());
        }
        // On PostgreSQL the row lock makes concurrent writers (several servers)
        // append one after another; SQLite's IMMEDIATE transaction already did.
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let x = self.exec();
        let head = match x.fetch_opt(&format!("SELECT seq, hash FROM ledger_head WHERE id = 1{lock}"), vec![]).await? {
            Some(head) => head,
            None => {
                x.run("INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, $1)", vec![Hash::GENESIS.to_hex().into()])
                    .await?;
                LedgerHead { seq: 0, hash: Hash::GENESIS }
            }
        };
        self.head = Some(head.clone());
        Ok(head)
    }
}

/// Appending to the ledger. Implemented for [`Tx`]: inside a write transaction.
pub trait LedgerWrites {
    /// Appends an event to the chain and returns its sequence number.
    fn append_event(&mut self, e: NewEvent<'_>) -> impl Future<Output = Result<EventId>> + Send;

    /// Appends many events in order, in multi-row statements, moving the head
    /// once per statement; the chain is the same as appending them one by one.
    /// Returns the sequence number of each.
    fn append_events(&mut self, events: &[NewEvent<'_>]) -> impl Future<Output = Result<Vec<EventId>>> + Send;
}

impl LedgerWrites for Tx {
    async fn append_event(&mut self, e: NewEvent<'_>) -> Result<EventId> {
        let seqs = self.append_events(std::slice::from_ref(&e)).await?;
        seqs.first().copied().ok_or_else(|| StoreError::Internal("an appended event got no sequence number".into()))
    }

    async fn append_events(&mut self, events: &[NewEvent<'_>]) -> Result<Vec<EventId>> {
        // 8 values per row.
        const PER_STATEMENT: usize = 500;
        let mut seqs = Vec::with_capacity(events.len());
        for chunk in events.chunks(PER_STATEMENT) {
            let mut head = self.load_head().await?;
            let mut rows = String::new();
            let mut v: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 8 + 2);
            for e in chunk {
                let seq = head.seq + 1;
                let payload = serde_json::to_string(&e.payload).map_err(|err| StoreError::Internal(err.to_string()))?;
                let body = EventBody {
                    seq,
                    case_id: e.case_id,
                    actor_id: e.actor_id,
                    kind: e.kind,
                    payload: &payload,
                    at_us: e.at_us,
                };
                let hash = body.hash(&head.hash);
                if !rows.is_empty() {
                    rows.push_str(", ");
                }
                let base = v.len();
                rows.push('(');
                rows.push_str(&(1..=8).map(|k| format!("${}", base + k)).collect::<Vec<_>>().join(", "));
                rows.push(')');
                v.extend([
                    seq.into(),
                    e.case_id.bind(),
                    e.actor_id.bind(),
                    e.kind.into(),
                    payload.into(),
                    e.at_us.into(),
                    head.hash.to_hex().into(),
                    hash.to_hex().into(),
                ]);
                seqs.push(EventId(seq));
                head = LedgerHead { seq, hash };
            }
            let n = v.len();
            v.push(head.seq.into());
            v.push(head.hash.to_hex().into());
            let (hs, hh) = (n + 1, n + 2);
            let sql = match self.backend() {
                crate::Backend::Sqlite => format!(
                    "INSERT INTO ledger (seq, case_id, actor_id, kind, payload, at, prev_hash, hash) VALUES {rows}; \
                     UPDATE ledger_head SET seq = ${hs}, hash = ${hh} WHERE id = 1"
                ),
                crate::Backend::Postgres => format!(
                    "WITH head AS (UPDATE ledger_head SET seq = ${hs}, hash = ${hh} WHERE id = 1) \
                     INSERT INTO ledger (seq, case_id, actor_id, kind, payload, at, prev_hash, hash) VALUES {rows}"
                ),
            };
            self.exec().run(&sql, v).await?;
            self.head = Some(head);
        }
        Ok(seqs)
    }
}

/// Reading the ledger. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait LedgerReads {
    /// A case's events in order, for its timeline.
    fn case_events(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<Event>>> + Send;

    /// The recorded head of the chain.
    fn ledger_head(&self) -> impl Future<Output = Result<Option<(i64, String)>>> + Send;

    /// Events with `seq > after`, at most `limit`, in order: for verification in batches.
    fn ledger_batch(&self, after: i64, limit: u32) -> impl Future<Output = Result<Vec<StoredEvent>>> + Send;
}

impl LedgerReads for Exec<'_> {
    async fn case_events(&self, case_id: CaseId) -> Result<Vec<Event>> {
        self.fetch_all(
            "SELECT seq, case_id, actor_id, kind, payload, at FROM ledger WHERE case_id = $1 ORDER BY seq",
            vec![case_id.bind()],
        )
        .await
    }

    async fn ledger_head(&self) -> Result<Option<(i64, String)>> {
        self.fetch_opt("SELECT seq, hash FROM ledger_head WHERE id = 1", vec![]).await
    }

    async fn ledger_batch(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        self.fetch_all(
            "SELECT seq, case_id, actor_id, kind, payload, at, prev_hash, hash FROM ledger WHERE seq > $1 ORDER BY seq LIMIT $2",
            vec![after.into(), (limit as i64).into()],
        )
        .await
    }
}
