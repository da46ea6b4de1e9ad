"""Staff members: Slack users mapped to roles."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.errors import InvalidValue, StaffNotFound
from crm_core.models import Role, Staff
from crm_core.uow import UnitOfWork, snapshot


def add_staff(uow: UnitOfWork, slack_user_id: str, name: str, role: str) -> Staff:
    """Map a Slack user to a staff member, or update the existing mapping."""
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidValue(f"unknown role {role!r}; use one of {[r.value for r in Role]}") from exc
    if not slack_user_id.strip() or not name.strip():
        raise InvalidValue("slack id and name are required")
    staff = uow.session.scalar(select(Staff).where(Staff.slack_user_id == slack_user_id))
    if staff is None:
        staff = Staff(slack_user_id=slack_user_id, name=name.strip(), role=role_value)
        uow.session.add(staff)
        uow.audit("staff.add", staff, None)
    else:
        before = snapshot(staff)
        staff.name, staff.role, staff.active = name.strip(), role_value, True
        uow.audit("staff.update", staff, before)
    return staff


def list_staff(uow: UnitOfWork) -> list[Staff]:
    """All staff, by role then name."""
    return list(uow.session.scalars(select(Staff).order_by(Staff.role, Staff.name)))


def staff_by_slack_id(uow: UnitOfWork, slack_user_id: str) -> Staff:
    """The active staff member for a Slack user id."""
    staff = uow.session.scalar(
        select(Staff).where(Staff.slack_user_id == slack_user_id, Staff.active.is_(True))
    )
    if staff is None:
        raise StaffNotFound(slack_user_id)
    return staff
