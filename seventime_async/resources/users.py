"""Users and their lookups (reference: Users.md): user roles, default salary types, user
skills and user work types.

The list's ``person_number`` filter matches the record's ``personal_number`` and its
``user_role`` filter the record's ``user_role_id``. User roles have no ``_id``: they are
keyed by the integer ``user_role_id``. The delete is commented out in the reference and
not offered. User work types are documented at ``/userRoles/``; the examples call
``/userWorkTypes/``, which is taken (``/userRoles/`` is the roles' own list).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec, Write

__all__ = [
    "DefaultSalaryType",
    "User",
    "UserCreateFields",
    "UserFilters",
    "UserRole",
    "UserSkill",
    "UserUpdateFields",
    "UserWorkSchedule",
    "UserWorkType",
    "Users",
]


@attrs.define(slots=True, eq=True)
class UserWorkSchedule:
    """A work schedule assigned to a user for a period."""

    id: str | None = None
    work_schedule: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class User:
    """A user of the company's Seven Time."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    user_name: str | None = None
    email: str | None = None
    personal_number: str | None = None
    employee_number: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    user_role_id: int | None = None
    language: str | None = None
    is_active: bool | None = None
    is_activated: bool | None = None
    can_have_dynamic_schedule: bool | None = None
    work_schedules: list[UserWorkSchedule] = attrs.field(factory=list)
    created_date: datetime | None = None
    modified_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class UserRole:
    """A user role, keyed by its number (roles have no ``_id``)."""

    user_role_id: int
    user_role_name: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DefaultSalaryType:
    """A salary type users can have by default."""

    id: str
    name: str | None = None
    description: str | None = None
    code: str | None = None
    unit_type: str | None = None
    is_absence_time_type: bool | None = None
    is_rule_type: bool | None = None
    absence_time_category: str | None = None
    absence_time_category_name: str | None = None
    can_be_registered: bool | None = None
    salary_amount: Decimal | None = None
    type_in_salary_system: int | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class UserSkill:
    """A skill, and the educations it requires."""

    id: str
    skill_title: str | None = None
    require_educations: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class UserWorkType:
    """A kind of work a user does, with its price per hour."""

    id: str
    name: str | None = None
    price_per_hour: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class UserFilters(ListOptions, Sorting, total=False):
    """The documented filters of the user list."""

    name: str
    person_number: str
    department: Id
    user_role: int | str
    is_active: bool
    is_activated: bool
    default_salary_type: Id
    user_skills: Id


class _UserFields(WriteOptions, total=False):
    employee_number: str
    work_phone: str
    cell_phone: str
    is_active: bool
    is_activated: bool
    password: str
    language: str


class UserCreateFields(_UserFields, total=False):
    """The fields of a new user (the first six are required)."""

    created_by_user: Required[Id]
    first_name: Required[str]
    last_name: Required[str]
    email: Required[str]
    user_name: Required[str]
    user_role_id: Required[int | str]


class UserUpdateFields(_UserFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    first_name: str
    last_name: str
    email: str
    user_name: str
    user_role_id: int | str


class Users(Collection[User]):
    """``st.users``: list, get, create and update users (no delete: see the module)."""

    def list(self, **filters: Unpack[UserFilters]) -> Paginator[User]:
        """A paginator over the users that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, user_id: Id, **options: Unpack[CallOptions]) -> User:
        """One user by its ``_id``."""
        return await self._ops.get(user_id, options, id_name="user_id")

    async def create(self, **fields: Unpack[UserCreateFields]) -> User:
        """Create a user."""
        return await self._ops.create(fields)

    async def update(self, user_id: Id, **changes: Unpack[UserUpdateFields]) -> User:
        """Change the given fields (and only those) of a user."""
        return await self._ops.update(user_id, changes, id_name="user_id")


USERS = ResourceSpec(
    path="users",
    record=User,
    facade=Users,
    list=Listing(filters=UserFilters),
    get=True,
    create=Write(fields=UserCreateFields),
    update=Write(fields=UserUpdateFields),
    sort_field="createdDate",
)

USER_ROLES = ResourceSpec(
    path="userRoles",
    record=UserRole,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    id_field="user_role_id",
    sort_field=None,
)

DEFAULT_SALARY_TYPES = ResourceSpec(
    path="defaultSalaryTypes",
    record=DefaultSalaryType,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)

USER_SKILLS = ResourceSpec(
    path="userSkills",
    record=UserSkill,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)

USER_WORK_TYPES = ResourceSpec(
    path="userWorkTypes",
    record=UserWorkType,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)
