//! The supply network (nodes with materialised paths) and the premises it
//! supplies.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::now_us;
use crate::records::*;
use crate::registry::NODE_COLS;
use pledge_domain::Utility;
use pledge_domain::network::{self, NodeLevel};
use sea_orm::Value;

/// Reading the supply network. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait NetworkReads {
    fn node(&self, id: NodeId) -> impl Future<Output = Result<NetworkNode>> + Send;

    /// Direct children of a node, or the roots of a utility's network.
    fn node_children(
        &self,
        company_id: CompanyId,
        utility: Utility,
        parent: Option<NodeId>,
    ) -> impl Future<Output = Result<Vec<NetworkNode>>> + Send;

    /// How many premises and customers hang below a node (one range scan).
    fn count_customers_below(&self, node_id: NodeId) -> impl Future<Output = Result<u64>> + Send;

    /// Ids of every customer below a node, in id order.
    fn customer_ids_below(&self, node_id: NodeId) -> impl Future<Output = Result<Vec<CustomerId>>> + Send;

    /// The node among `ids` at `level`, deepest first (the ids come from a path).
    fn node_at_level(
        &self,
        ids: &[NodeId],
        level: NodeLevel,
    ) -> impl Future<Output = Result<Option<NetworkNode>>> + Send;
}

impl NetworkReads for Exec<'_> {
    async fn node(&self, id: NodeId) -> Result<NetworkNode> {
        self.fetch(&format!("SELECT {NODE_COLS} FROM network_nodes WHERE id = $1"), vec![id.bind()], "network node")
            .await
    }

    async fn node_children(
        &self,
        company_id: CompanyId,
        utility: Utility,
        parent: Option<NodeId>,
    ) -> Result<Vec<NetworkNode>> {
        self.fetch_all(
            &format!(
                "SELECT {NODE_COLS} FROM network_nodes \
                 WHERE company_id = $1 AND utility = $2 AND ((parent_id IS NULL AND $3 IS NULL) OR parent_id = $3) ORDER BY id"
            ),
            vec![company_id.bind(), utility.code().into(), parent.bind()],
        )
        .await
    }

    async fn count_customers_below(&self, node_id: NodeId) -> Result<u64> {
        let node = self.node(node_id).await?;
        let (lo, hi) = network::subtree_bounds(&node.path);
        let n: Option<i64> = self
            .fetch_opt(
                "SELECT COUNT(*) AS n FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
                 WHERE s.node_path >= $1 AND s.node_path < $2 AND s.utility = $3",
                vec![lo.into(), hi.into(), node.utility.code().into()],
            )
            .await?;
        Ok(n.unwrap_or(0) as u64)
    }

    async fn customer_ids_below(&self, node_id: NodeId) -> Result<Vec<CustomerId>> {
        let node = self.node(node_id).await?;
        let (lo, hi) = network::subtree_bounds(&node.path);
        self.fetch_all(
            "SELECT c.id FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
             WHERE s.node_path >= $1 AND s.node_path < $2 AND s.utility = $3 ORDER BY c.id",
            vec![lo.into(), hi.into(), node.utility.code().into()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn node_at_level(&self, ids: &[NodeId], level: NodeLevel) -> Result<Option<NetworkNode>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let mut v: Vec<Value> = vec![level.code().into()];
        let list: Vec<String> = ids
            .iter()
            .map(|id| {
                v.push((*id).bind());
                format!("${}", v.len())
            })
            .collect();
        let sql = format!(
            "SELECT {NODE_COLS} FROM network_nodes WHERE level = $1 AND id IN ({}) ORDER BY path DESC LIMIT 1",
            list.join(", ")
        );
        self.fetch_opt(&sql, v).await
    }
}

/// Growing the supply network and attaching premises to it. Implemented for [`Tx`]: inside a write transaction.
pub trait NetworkWrites {
    /// Inserts a node under its parent and sets its materialised path.
    fn insert_node(&mut self, n: &NewNode) -> impl Future<Output = Result<NetworkNode>> + Send;

    fn insert_premises(&mut self, p: &NewPremises) -> impl Future<Output = Result<PremisesId>> + Send;

    /// Attaches a premises to the network leaf that supplies it with `node`'s utility.
    fn attach_premises(&mut self, premises_id: PremisesId, node_id: NodeId) -> impl Future<Output = Result<()>> + Send;
}

impl NetworkWrites for Tx {
    async fn insert_node(&mut self, n: &NewNode) -> Result<NetworkNode> {
        let parent_path = match n.parent_id {
            Some(pid) => {
                let p = self.exec().node(pid).await?;
                if p.utility != n.utility || p.company_id != n.company_id {
                    return Err(StoreError::Conflict("parent node belongs to another utility or company".into()));
                }
                p.path
            }
            None => String::new(),
        };
        // Insert with a unique placeholder path, then set the real one from the new id.
        let x = self.exec();
        let placeholder = format!("tmp-{}-{}", now_us(), n.name.len());
        let id = x
            .insert_id(
                "INSERT INTO network_nodes (company_id, utility, parent_id, level, name, path, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                vec![
                    n.company_id.bind(),
                    n.utility.code().into(),
                    n.parent_id.bind(),
                    n.level.code().into(),
                    n.name.as_str().into(),
                    placeholder.into(),
                    now_us().into(),
                ],
            )
            .await?;
        let path = network::child_path(&parent_path, id).map_err(|e| StoreError::Conflict(e.to_string()))?;
        x.run("UPDATE network_nodes SET path = $2 WHERE id = $1", vec![id.bind(), path.as_str().into()]).await?;
        Ok(NetworkNode {
            id,
            company_id: n.company_id,
            utility: n.utility,
            parent_id: n.parent_id,
            level: n.level,
            name: n.name.clone(),
            path,
        })
    }

    async fn insert_premises(&mut self, p: &NewPremises) -> Result<PremisesId> {
        self.exec()
            .insert_id(
                "INSERT INTO premises (company_id, address, zone, floor_area_m2, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![p.company_id.bind(), p.address.as_str().into(), p.zone.code().into(), p.floor_area_m2.into(), now_us().into()],
            )
            .await
    }

    async fn attach_premises(&mut self, premises_id: PremisesId, node_id: NodeId) -> Result<()> {
        let node = self.exec().node(node_id).await?;
        let x = self.exec();
        x.run(
            "DELETE FROM premises_supply WHERE premises_id = $1 AND utility = $2",
            vec![premises_id.bind(), node.utility.code().into()],
        )
        .await?;
        x.run(
            "INSERT INTO premises_supply (premises_id, utility, node_id, node_path) VALUES ($1, $2, $3, $4)",
            vec![premises_id.bind(), node.utility.code().into(), node_id.bind(), node.path.into()],
        )
        .await?;
        Ok(())
    }
}
