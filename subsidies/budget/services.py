"""The budget's writers: the budget (the year's row and the budget's row locked, the
version checked, the change audited from/to per figure, FiscalYear.budget_amount kept
equal to the total) and the allocation proposals (made from the lines awaiting decision,
the same inputs giving the same proposal; accepted with staff's edits, each with its
reason, the sum within what the part has; audited)."""

from django.db import transaction
from django.utils import timezone

from subsidies.budget.calculation import METHOD_LABELS, AllocationError, allocate
from subsidies.budget.reading import claim_lines
from subsidies.catalogue.budget import budget_parts, decided_by_type
from subsidies.models import AllocationProposal, Budget, FiscalYear
from zaitaku_portal import audit
from zaitaku_portal.access import can_manage_master_data

AUDIT_ACTION = "budget.save"
LABELS = {"total": "予算額", "hub_part": "拠点分", "hospital_part": "医療機関分"}
STALE_MESSAGE = (
    "この予算は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みして最新の内容を確認してから、もう一度保存してください。"
)


class BudgetRefused(Exception):
    pass


def save_budget(fiscal_year: FiscalYear, amounts: dict, version, actor) -> dict:
    """Write the amounts (yen; parts None when unsplit). `version` is what the user loaded
    (None for a year without a budget row). Returns the changes ({} when none)."""
    allowed = can_manage_master_data(actor)
    if not allowed:
        raise BudgetRefused(f"予算の登録は県職員のみが行えます。{allowed.reason}")
    with transaction.atomic():
        locked_year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        budget = Budget.objects.select_for_update().filter(fiscal_year=locked_year).first()
        if (budget.version if budget else None) != version:
            raise BudgetRefused(STALE_MESSAGE)
        before = _figures(budget, locked_year)
        changes = {
            LABELS[name]: {"from": before[name], "to": amounts[name]}
            for name in LABELS
            if before[name] != amounts[name]
        }
        if not changes:
            return {}
        if budget is None:
            budget = Budget(fiscal_year=locked_year, version=0)
        for name in LABELS:
            setattr(budget, name, amounts[name])
        budget.version += 1
        budget.updated_by = actor
        budget.save()
        locked_year.budget_amount = amounts["total"]
        locked_year.save(update_fields=["budget_amount"])
        audit.record(actor, AUDIT_ACTION, budget, changes)
    return changes


def _figures(budget: Budget | None, fiscal_year: FiscalYear) -> dict:
    if budget is None:
        return {"total": fiscal_year.budget_amount, "hub_part": None, "hospital_part": None}
    return {name: getattr(budget, name) for name in LABELS}


# --- allocation proposals ------------------------------------------------------------------

PROPOSE_ACTION, ACCEPT_ACTION = "budget.allocation.propose", "budget.allocation.accept"
PROPOSAL_STALE = (
    "この配分案は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みしてから、もう一度操作してください。"
)


def _digest(part, method, given, available, unit, claims) -> str:
    import hashlib
    import json

    data = [part, method, given, available, unit, [[c.key, c.computed, c.tier] for c in claims]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _available(fiscal_year, part_key: str, application_ids) -> int:
    for part in budget_parts(fiscal_year):
        if part.key == part_key:
            others = decided_by_type(fiscal_year, exclude=application_ids)
            decided = sum(v for k, v in others.items() if part.covers(k))
            return max(part.amount - decided, 0)
    raise BudgetRefused("この年度にはその予算の区分がありません。先に予算を登録してください。")


def propose(fiscal_year, part_key: str, method: str, given_ceiling, actor):
    """The proposal for one part: computed from the lines awaiting decision; the same
    inputs give the same proposal (an open one with the same digest is returned)."""
    allowed = can_manage_master_data(actor)
    if not allowed:
        raise BudgetRefused("配分案の作成は県職員のみが行えます。")
    lines = claim_lines(fiscal_year, part_key)
    if not lines:
        raise BudgetRefused("この区分には交付決定を待つ（審査中の）申請の行がありません。")
    claims = [line.claim for line in lines]
    available = _available(fiscal_year, part_key, {line.application_id for line in lines})
    unit = fiscal_year.rounding_unit
    digest = _digest(part_key, method, given_ceiling, available, unit, claims)
    existing = AllocationProposal.objects.filter(
        fiscal_year=fiscal_year,
        part=part_key,
        inputs_digest=digest,
        state=AllocationProposal.State.PROPOSED,
    ).first()
    if existing:
        return existing
    try:
        result = allocate(method, claims, available, unit, ceiling=given_ceiling)
    except AllocationError as error:
        raise BudgetRefused(str(error)) from error
    rows = []
    for line, share in zip(lines, result.shares, strict=True):
        reduced = share.amount < share.computed
        rows.append(
            {
                "application": line.application_id,
                "key": line.line_key,
                "hub": line.hub,
                "label": line.label,
                "tier": line.claim.tier,
                "computed": share.computed,
                "proposed": share.amount,
                "amount": share.amount,
                "basis": share.basis,
                "reason": f"予算の範囲内で配分（{METHOD_LABELS[method]}：{share.basis}）"
                if reduced
                else "",
                "edited": False,
            }
        )
    proposal = AllocationProposal.objects.create(
        fiscal_year=fiscal_year,
        part=part_key,
        method=method,
        given_ceiling=given_ceiling,
        available=available,
        rounding_unit=unit,
        rate_numerator=result.rate.numerator if result.rate is not None else None,
        rate_denominator=result.rate.denominator if result.rate is not None else None,
        ceiling=result.ceiling,
        lines=rows,
        inputs_digest=digest,
        created_by=actor,
    )
    audit.record(
        actor,
        PROPOSE_ACTION,
        proposal,
        {
            "配分の方法": {"from": None, "to": METHOD_LABELS[method]},
            "配分額": {"from": None, "to": result.total},
        },
    )
    return proposal


def _edited_rows(
    rows: list[dict], edits: dict[int, tuple[int, str]]
) -> tuple[list[dict], list[str]]:
    problems, out = [], []
    for index, row in enumerate(rows):
        row = dict(row)
        amount, reason = edits.get(index, (row["amount"], ""))
        name = f"{row['hub']}：{row['label']}"
        if amount != row["proposed"]:
            if amount > row["computed"]:
                problems.append(
                    f"「{name}」の額 {amount:,}円は計算額 {row['computed']:,}円を超えています。"
                )
            elif not (reason or "").strip():
                problems.append(f"「{name}」を配分案から変える理由を入力してください。")
            row.update(amount=amount, reason=(reason or "").strip(), edited=True)
        out.append(row)
    return out, problems


def accept(proposal: AllocationProposal, edits: dict[int, tuple[int, str]], version, actor):
    """Accept the proposal, with the lines staff edited (amount and reason); the sum stays
    within what the part has; an earlier accepted proposal of the part is replaced."""
    allowed = can_manage_master_data(actor)
    if not allowed:
        raise BudgetRefused("配分案の採用は県職員のみが行えます。")
    with transaction.atomic():
        FiscalYear.objects.select_for_update().get(pk=proposal.fiscal_year_id)
        locked = AllocationProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.version != version or locked.state != AllocationProposal.State.PROPOSED:
            raise BudgetRefused(PROPOSAL_STALE)
        rows, problems = _edited_rows(locked.lines, edits)
        total = sum(row["amount"] for row in rows)
        if total > locked.available:
            problems.append(
                f"配分額の合計 {total:,}円が配分できる額 {locked.available:,}円を"
                f"{total - locked.available:,}円超えています。"
            )
        if problems:
            raise BudgetRefused("配分案を採用できません: " + " / ".join(problems))
        AllocationProposal.objects.filter(
            fiscal_year_id=locked.fiscal_year_id,
            part=locked.part,
            state=AllocationProposal.State.ACCEPTED,
        ).update(state=AllocationProposal.State.REPLACED)
        locked.lines = rows
        locked.state = AllocationProposal.State.ACCEPTED
        locked.accepted_by = actor
        locked.accepted_at = timezone.now()
        locked.version += 1
        locked.save()
        edited = [
            f"{r['hub']}：{r['label']} {r['proposed']:,}→{r['amount']:,}円"
            for r in rows
            if r["edited"]
        ]
        audit.record(
            actor,
            ACCEPT_ACTION,
            locked,
            {"状態": {"from": "提案", "to": "採用"}, "配分額": {"from": None, "to": total}},
            reason=" / ".join(
                f"{e}（{r['reason']}）"
                for e, r in zip(edited, [r for r in rows if r["edited"]], strict=True)
            ),
        )
    return locked


# --- adopting a what-if scenario's caps into a 調整中 catalogue ----------------------------

ADOPT_ACTION = "上限額・補助率の変更（試算から採用）"


def _adopt_refusal(fiscal_year: FiscalYear, actor) -> str | None:
    allowed = can_manage_master_data(actor)
    if not allowed:
        return f"試算の上限額を補助メニューに反映できるのは県職員のみです。{allowed.reason}"
    if fiscal_year.catalogue_frozen:
        return (
            f"{fiscal_year}の補助メニューは交付決定に使われたため、上限額・補助率は変更できません。"
            "変更する場合は新しい年度を作成してください。"
        )
    if fiscal_year.catalogue_confirmed:
        return (
            f"{fiscal_year}の補助メニューは確定しているため、試算の上限額は反映できません"
            "（反映できるのは調整中の年度だけです）。"
        )
    return None


def _apply(menu, change) -> None:
    from subsidies.results.what_if import scenario_cap

    cap, cap_unit, rate = scenario_cap(menu, change)
    menu.cap_amount, menu.cap_unit = cap, cap_unit
    menu.rate_numerator, menu.rate_denominator = rate.numerator, rate.denominator


def adopt_caps(fiscal_year: FiscalYear, changes: dict, actor) -> list[str]:
    """Write the scenario's caps, per-district multiplier and rates (menu pk → MenuChange)
    into the year's catalogue while it is 調整中 and unfrozen: staff only, the year locked,
    each changed menu validated and audited with its before/after. Returns the names of
    the menus changed (none when the scenario changes nothing)."""
    from django.core.exceptions import ValidationError

    from subsidies.catalogue.services import cap_changes
    from subsidies.models import SubsidyMenu

    with transaction.atomic():
        locked = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        refusal = _adopt_refusal(locked, actor)
        if refusal:
            raise BudgetRefused(refusal)
        menus = SubsidyMenu.objects.select_for_update().filter(fiscal_year=locked)
        by_pk = {m.pk: m for m in menus}
        changed, problems = [], []
        for pk, change in changes.items():
            menu = by_pk.get(pk)
            if menu is None or not change.differs(menu):
                continue
            _apply(menu, change)
            try:
                menu.full_clean()
            except ValidationError as error:
                problems.extend(f"「{menu.name}」: {m}" for m in error.messages)
                continue
            before_after = cap_changes(menu)
            menu.save()
            audit.record(actor, ADOPT_ACTION, menu, before_after, reason=f"{locked}の試算から")
            changed.append(menu.name)
        if problems:  # raised inside the block: every menu written above is rolled back
            raise BudgetRefused(
                "試算の上限額を反映できません（何も変更していません）: " + " / ".join(problems)
            )
    return changed
