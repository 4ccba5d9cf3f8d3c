//! Bulk loading for imports and benchmarks: many customers, each with its
//! own premises supplied through one network node, in three
//! `INSERT … SELECT` statements over a generated series.

use crate::error::Result;
use crate::exec::Tx;
use crate::records::*;

/// Loading many rows at once (imports and benchmarks). Implemented for [`Tx`]: inside a write transaction.
pub trait BulkLoad {
    /// Adds `count` residential customers below `node` (one premises each),
    /// numbered `number_base + premises id`. Run alone: the new premises are
    /// found as the ids above the largest one before the insert.
    fn bulk_customers_at(
        &mut self,
        node: &NetworkNode,
        number_base: i64,
        count: u32,
        at_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;
}

impl BulkLoad for Tx {
    #[tracing::instrument(skip(self, node), fields(node_id = node.id.get()))]
    async fn bulk_customers_at(&mut self, node: &NetworkNode, number_base: i64, count: u32, at_us: i64) -> Result<u64> {
        let x = self.exec();
        let before: i64 = x.fetch_opt("SELECT COALESCE(MAX(id), 0) AS m FROM premises", vec![]).await?.unwrap_or(0);
        x.run(
            "INSERT INTO premises (company_id, address, zone, floor_area_m2, created_at) \
             WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $3) \
             SELECT $1, $4 || ' ' || CAST(i AS TEXT) || ' 号', 'urban', 80, $2 FROM seq",
            vec![node.company_id.bind(), at_us.into(), i64::from(count).into(), node.name.as_str().into()],
        )
        .await?;
        x.run(
            "INSERT INTO premises_supply (premises_id, utility, node_id, node_path) SELECT id, $2, $3, $4 FROM premises WHERE id > $1",
            vec![before.into(), node.utility.code().into(), node.id.bind(), node.path.as_str().into()],
        )
        .await?;
        x.run(
            "INSERT INTO customers (company_id, utility, customer_number, account_name, category, phone, special_care, premises_id, created_at, updated_at) \
             SELECT $2, $3, CAST($4 + id AS TEXT), '用户' || CAST(id AS TEXT), 'residential', NULL, '', id, $5, $5 FROM premises WHERE id > $1",
            vec![before.into(), node.company_id.bind(), node.utility.code().into(), number_base.into(), at_us.into()],
        )
        .await
    }
}
