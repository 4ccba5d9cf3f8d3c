//! Moving a case between people and departments: transfer (转办) with the
//! three-copy complaint form, return (退单), assignment and duplicate links.

use super::*;

impl App {
    /// Transfers a case to the department whose remit it is (转办). A complaint
    /// gets the three-copy form: archive, receiving department, general management.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn transfer_case(
        &self,
        actor: &Actor,
        id: CaseId,
        department_id: DepartmentId,
        reason: Option<String>,
    ) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "transfer cases")?;
        let reason = reason.map(|r| Body::parse("reason", &r).map(Body::into_inner)).transpose()?;
        let r = self.store().read();
        let target = r
            .department(department_id)
            .await
            .map_err(|e| not_found_as(e, "unknown_department", "department_id", "no such department"))?;
        if target.company_id != actor.staff.company_id {
            return Err(AppError::invalid("unknown_department", "department_id", "no such department"));
        }
        let a = actor.clone();
        self.on_case(actor, id, async move |tx, case, at, engine| {
                if case.state == CaseState::Returned && !(a.can(Permission::CaseDecide) || a.id() == case.first_responder_id) {
                    return Err(AppError::Forbidden("decide on returned cases"));
                }
                if case.department_id == Some(department_id) && case.state == CaseState::Transferred {
                    return Err(AppError::conflict("already_there", "the case is already with that department"));
                }
                let from = case.department_id.or(a.staff.department_id);
                let transfer_no = tx.exec().case_events(case.id).await?.iter().filter(|e| e.kind == "case.transferred").count() as i64 + 1;
                let payload = json!({"from_department_id": from, "to_department_id": department_id, "reason": reason, "transfer_no": transfer_no});
                step(tx, &engine, a.id(), &case, Some(CaseAction::Transfer), "case.transferred", payload, Routing { department: Some(Some(department_id)), assignee: Some(None) }, at).await?;
                if case.kind == CaseKind::Complaint {
                    let management = crate::routing::department_for(&tx.exec(), case.company_id, case.utility, crate::routing::RoutingPurpose::ManagementCopy).await?;
                    for (copy, holder) in FORM_COPIES.into_iter().zip([from, Some(department_id), management]) {
                        tx.insert_distribution(case.id, transfer_no, copy, holder, at).await?;
                    }
                }
                Ok(())
            })
        .await
    }

    /// Acknowledges one copy of a complaint form, by its holder department
    /// (or a duty manager, supervisor or administrator).
    #[tracing::instrument(skip(self, actor))]
    pub async fn acknowledge_form_copy(
        &self,
        actor: &Actor,
        case_id: CaseId,
        distribution_id: DistributionId,
    ) -> AppResult<Distribution> {
        actor.require(Permission::CaseWork, "acknowledge forms")?;
        let copies = self.store().read().distributions(case_id).await?;
        let d = copies.into_iter().find(|d| d.id == distribution_id).ok_or(AppError::NotFound("form copy"))?;
        let overseer = matches!(
            actor.role(),
            pledge_domain::Role::DutyManager | pledge_domain::Role::QualitySupervisor | pledge_domain::Role::Admin
        );
        if !overseer && d.holder_department_id.is_some() && d.holder_department_id != actor.staff.department_id {
            return Err(AppError::Forbidden("acknowledge another department's copy"));
        }
        let who = actor.id();
        self.on_case(actor, case_id, async move |tx, case, at, _engine| {
                    let d = tx.acknowledge_distribution(distribution_id, who, at).await.map_err(|e| match e {
                        StoreError::Conflict(m) => AppError::conflict("already_acknowledged", m),
                        other => other.into(),
                    })?;
                    tx.touch_case(case.id, at).await?;
                    event(tx, Some(who), Some(case.id), "case.form_acknowledged", json!({"distribution_id": d.id, "copy": d.copy, "transfer_no": d.transfer_no, "state": case.state.code()}), at).await?;
                    Ok(())
                })
        .await?;
        let copies = self.store().read().distributions(case_id).await?;
        copies.into_iter().find(|d| d.id == distribution_id).ok_or(AppError::NotFound("form copy"))
    }

    /// The receiving department returns a case outside its remit (退单), with a reason;
    /// it goes back to the department that sent it for the sender or duty manager to decide.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn return_case(&self, actor: &Actor, id: CaseId, reason: String) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "return cases")?;
        let reason = Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "a return needs a reason"))?
            .into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            let events = tx.exec().case_events(case.id).await?;
            let back_to = events
                .iter()
                .rev()
                .find(|e| e.kind == "case.transferred")
                .and_then(|e| e.payload.get("from_department_id"))
                .and_then(Value::as_i64)
                .map(DepartmentId);
            let payload = json!({"reason": reason, "from_department_id": case.department_id});
            step(
                tx,
                &engine,
                who,
                &case,
                Some(CaseAction::Return),
                "case.returned",
                payload,
                Routing { department: Some(back_to), assignee: Some(None) },
                at,
            )
            .await
        })
        .await
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn assign_case(&self, actor: &Actor, id: CaseId, staff_id: StaffId) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "assign cases")?;
        let target = self
            .store()
            .read()
            .staff(staff_id)
            .await
            .map_err(|e| not_found_as(e, "unknown_staff", "staff_id", "no such staff member"))?;
        if !target.active || target.company_id != actor.staff.company_id {
            return Err(AppError::invalid("unknown_staff", "staff_id", "no such active staff member"));
        }
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            if !case.state.is_open() {
                return Err(AppError::conflict("case_closed", "a closed case cannot be assigned; reopen it first"));
            }
            step(
                tx,
                &engine,
                who,
                &case,
                None,
                "case.assigned",
                json!({}),
                Routing { department: None, assignee: Some(Some(staff_id)) },
                at,
            )
            .await
        })
        .await
    }

    /// Links a repeat contact to the case that already covers the matter.
    #[tracing::instrument(skip(self, actor))]
    pub async fn link_duplicate(&self, actor: &Actor, id: CaseId, original_id: CaseId) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "link cases")?;
        if id == original_id {
            return Err(AppError::invalid("self_link", "original_id", "a case cannot duplicate itself"));
        }
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, _engine| {
            let original = tx
                .exec()
                .case(original_id)
                .await
                .map_err(|e| not_found_as(e, "unknown_case", "original_id", "no such case"))?;
            if original.company_id != case.company_id {
                return Err(AppError::invalid("unknown_case", "original_id", "no such case"));
            }
            // Always point at the root so links never form chains or loops.
            let root = original.duplicate_of.unwrap_or(original.id);
            if root == case.id {
                return Err(AppError::invalid(
                    "link_loop",
                    "original_id",
                    "that case is already a duplicate of this one",
                ));
            }
            if case.duplicate_of.is_some() {
                return Err(AppError::conflict("already_linked", "this case is already linked to another"));
            }
            tx.set_duplicate_of(case.id, root, at).await?;
            event(
                tx,
                Some(who),
                Some(case.id),
                "case.linked_duplicate",
                json!({"duplicate_of": root, "state": case.state.code()}),
                at,
            )
            .await?;
            // The original carries the commitment now: the duplicate's clocks are withdrawn
            // (or, already overdue, end as merged and breached).
            let why = crate::commitments::SubjectEnding {
                how: pledge_domain::commitment::SubjectEnd::Merged,
                withdraw: Some((
                    pledge_domain::commitment::WithdrawKind::Duplicate,
                    format!("linked as a duplicate of case {root}"),
                )),
                trigger: "case.linked_duplicate",
                stopped_kind: "clock.stopped",
            };
            let when = Timestamp::from_microsecond(at).map_err(|e| AppError::Internal(e.to_string()))?;
            crate::commitments::end_case_clocks(tx, &case, &why, when, Some(who)).await?;
            let root_case = tx.exec().case(root).await?;
            tx.touch_case(root, at).await?;
            event(
                tx,
                Some(who),
                Some(root),
                "case.duplicate_added",
                json!({"duplicate_id": case.id, "state": root_case.state.code()}),
                at,
            )
            .await?;
            Ok(())
        })
        .await
    }
}
