"""Enterprises: binding by the legal representative, agents authorised until a date, revocation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from onestop.accounts import selectors, services
from onestop.accounts.choices import EnterpriseRole
from onestop.accounts.models import Enterprise, EnterpriseMembership
from onestop.accounts.tests.conftest import make_credit_code, make_id_number
from onestop.core.models import AuditEvent

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 2)


def login(client: Client, person) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_legal_rep_binds_enterprise_on_page(
    client: Client,
    register_person,
    enterprise: Enterprise,  # type: ignore[no-untyped-def]
) -> None:
    person = register_person(1, name="张三")  # same ID number as the registered legal rep
    login(client, person)
    response = client.post(
        "/account/enterprises/bind/",
        {
            "credit_code": enterprise.credit_code.lower(),
            "name": enterprise.name,
        },
    )
    assert response.status_code == 302
    membership = EnterpriseMembership.objects.get()
    assert membership.role == EnterpriseRole.LEGAL_REPRESENTATIVE
    assert selectors.person_can_act_for(person, enterprise)
    html = client.get("/account/").content.decode()
    assert enterprise.name in html and "有效" in html
    assert AuditEvent.objects.filter(action="enterprise.bind_legal_rep").exists()


def test_someone_else_cannot_bind(
    client: Client,
    register_person,
    enterprise: Enterprise,  # type: ignore[no-untyped-def]
) -> None:
    other = register_person(2, name="张三")  # same name, different ID number
    login(client, other)
    response = client.post(
        "/account/enterprises/bind/",
        {
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
        },
    )
    assert "与该企业登记的法定代表人不一致" in response.content.decode()
    assert not EnterpriseMembership.objects.exists()


def test_unknown_enterprise_and_bad_credit_code(
    client: Client,
    register_person,
    enterprise: Enterprise,  # type: ignore[no-untyped-def]
) -> None:
    login(client, register_person(1, name="张三"))
    html = client.post(
        "/account/enterprises/bind/",
        {
            "credit_code": make_credit_code(2),
            "name": enterprise.name,
        },
    ).content.decode()
    assert "未找到与该统一社会信用代码和名称相符的企业登记信息" in html
    html = client.post(
        "/account/enterprises/bind/",
        {
            "credit_code": "91120101MA00000010",
            "name": enterprise.name,
        },
    ).content.decode()
    assert "统一社会信用代码校验位不正确" in html


def test_unverified_person_cannot_bind(register_person, enterprise: Enterprise) -> None:  # type: ignore[no-untyped-def]
    person = register_person(1, name="张三", verified=False)
    with pytest.raises(ValidationError, match="实名认证"):
        services.enterprise_bind_legal_rep(
            person=person, credit_code=enterprise.credit_code, name=enterprise.name
        )


def test_agent_authorised_until_a_date_then_revoked(
    client: Client,
    register_person,
    enterprise: Enterprise,  # type: ignore[no-untyped-def]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        boss = register_person(1, name="张三")
        agent = register_person(3, name="赵六")
        services.enterprise_bind_legal_rep(
            person=boss, credit_code=enterprise.credit_code, name=enterprise.name
        )
        login(client, boss)
        until = TODAY + dt.timedelta(days=30)
        response = client.post(
            f"/account/enterprises/{enterprise.pk}/",
            {
                "agent_name": "赵六",
                "agent_id_number": make_id_number(3),
                "until": until.isoformat(),
            },
        )
        assert response.status_code == 302
        membership = EnterpriseMembership.objects.get(person=agent)
        assert membership.role == EnterpriseRole.AGENT
        assert membership.authorised_by == boss
        assert selectors.person_can_act_for(agent, enterprise)
        page = client.get(f"/account/enterprises/{enterprise.pk}/").content.decode()
        assert "赵六" in page and make_id_number(3) not in page

        # The agent sees the enterprise but cannot manage agents.
        agent_client = login(Client(), agent)
        page = agent_client.get(f"/account/enterprises/{enterprise.pk}/").content.decode()
        assert enterprise.name in page and "新增授权" not in page

        # Valid through the last day, not after.
        traveller.move_to(dt.datetime(2026, 4, 1, 15, 0, tzinfo=dt.UTC))  # 23:00 in Shanghai
        assert selectors.person_can_act_for(agent, enterprise)
        traveller.move_to(dt.datetime(2026, 4, 1, 16, 30, tzinfo=dt.UTC))  # next day there
        assert not selectors.person_can_act_for(agent, enterprise)
        agent_client = login(Client(), agent)  # a month later: a fresh session
        assert agent_client.get(f"/account/enterprises/{enterprise.pk}/").status_code == 404

        # Re-authorise, then revoke from the page.
        traveller.move_to(START)
        services.enterprise_authorise_agent(
            legal_rep=boss,
            enterprise=enterprise,
            agent_id_number=make_id_number(3),
            agent_name="赵六",
            until=until,
        )
        assert selectors.person_can_act_for(agent, enterprise)
        response = client.post(
            f"/account/enterprises/{enterprise.pk}/agents/{membership.pk}/revoke/"
        )
        assert response.status_code == 302
        assert not selectors.person_can_act_for(agent, enterprise)
        agent_client = login(Client(), agent)
        assert agent_client.get(f"/account/enterprises/{enterprise.pk}/").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"enterprise.authorise_agent", "enterprise.revoke_agent"} <= actions


def test_agent_must_be_a_real_name_person_matching_name(
    client: Client,
    register_person,
    enterprise: Enterprise,  # type: ignore[no-untyped-def]
) -> None:
    boss = register_person(1, name="张三")
    register_person(3, name="赵六")
    services.enterprise_bind_legal_rep(
        person=boss, credit_code=enterprise.credit_code, name=enterprise.name
    )
    login(client, boss)
    until = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    html = client.post(
        f"/account/enterprises/{enterprise.pk}/",
        {
            "agent_name": "钱七",
            "agent_id_number": make_id_number(3),
            "until": until,
        },
    ).content.decode()
    assert "未找到与该身份证号码和姓名相符的已实名用户" in html
    html = client.post(
        f"/account/enterprises/{enterprise.pk}/",
        {
            "agent_name": "赵六",
            "agent_id_number": make_id_number(3),
            "until": "2000-01-01",
        },
    ).content.decode()
    assert "授权截止日期不能早于今天" in html
    assert not EnterpriseMembership.objects.filter(role=EnterpriseRole.AGENT).exists()


def test_agents_cannot_authorise_or_revoke(register_person, enterprise: Enterprise) -> None:  # type: ignore[no-untyped-def]
    boss = register_person(1, name="张三")
    agent = register_person(3, name="赵六")
    register_person(4, name="孙八")
    services.enterprise_bind_legal_rep(
        person=boss, credit_code=enterprise.credit_code, name=enterprise.name
    )
    until = dt.date.today() + dt.timedelta(days=10)
    membership = services.enterprise_authorise_agent(
        legal_rep=boss,
        enterprise=enterprise,
        agent_id_number=make_id_number(3),
        agent_name="赵六",
        until=until,
    )
    with pytest.raises(ValidationError, match="只有已绑定的法定代表人"):
        services.enterprise_authorise_agent(
            legal_rep=agent,
            enterprise=enterprise,
            agent_id_number=make_id_number(4),
            agent_name="孙八",
            until=until,
        )
    with pytest.raises(ValidationError, match="只有已绑定的法定代表人"):
        services.enterprise_revoke_agent(legal_rep=agent, membership=membership)


def test_legal_rep_loses_rights_when_registry_changes(
    register_person, enterprise: Enterprise
) -> None:  # type: ignore[no-untyped-def]
    boss = register_person(1, name="张三")
    services.enterprise_bind_legal_rep(
        person=boss, credit_code=enterprise.credit_code, name=enterprise.name
    )
    services.enterprise_update(
        actor=None,
        enterprise=enterprise,
        name=enterprise.name,
        legal_representative_name="新代表",
        legal_representative_id=make_id_number(9),
    )
    assert not selectors.person_can_act_for(boss, enterprise)
