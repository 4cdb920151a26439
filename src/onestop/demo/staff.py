"""Demo officers: a few per role in each region, all with the same password and a TOTP device
whose secret is derived from the username (printed by ``demo_load``, current code by
``manage.py totp_code USERNAME``). Never loaded in production."""

from __future__ import annotations

from typing import NamedTuple

DEMO_PASSWORD = "onestop-demo-2026"  # noqa: S105 - published demo credential


class StaffSpec(NamedTuple):
    username: str
    name: str
    unit_code: str
    roles: tuple[str, ...]
    police_number: str


STAFF = [
    StaffSpec("tj_admin", "王建国", "TJ", ("platform_admin",), "120001"),
    StaffSpec("tj_supervisor", "李督办", "TJ-ZHZX", ("supervisor",), "120002"),
    StaffSpec("tj_approver", "赵审批", "TJ-ZAZD", ("approver",), "120003"),
    StaffSpec("tj_unitadmin", "孙管理", "TJ-HP", ("unit_admin",), "120004"),
    StaffSpec("tj_reviewer", "周审核", "TJ-HP", ("reviewer",), "120005"),
    StaffSpec("tj_clerk", "陈受理", "TJ-HP-QYC", ("window_clerk",), "120006"),
    StaffSpec("tj_clerk_hx", "吴受理", "TJ-HX-YYL", ("window_clerk",), "120007"),
    StaffSpec("gx_admin", "韦平台", "GX", ("platform_admin",), "450001"),
    StaffSpec("gx_supervisor", "蓝督办", "GX-ZHZX", ("supervisor",), "450002"),
    StaffSpec("gx_approver", "黄审批", "GX-ZAZD", ("approver",), "450003"),
    StaffSpec("gx_reviewer", "莫审核", "GX-NN", ("reviewer", "unit_admin"), "450004"),
    StaffSpec("gx_clerk", "覃受理", "GX-NN-D1-S1", ("window_clerk",), "450005"),
]
