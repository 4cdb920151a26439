"""Platform-level behaviour: probes, entry points, API docs, OpenAPI drift, production settings,
and no 500 on the public pages whatever the input."""

from __future__ import annotations

import base64
import difflib
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client, override_settings
from django.utils import translation
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_FILE = ROOT / "docs" / "openapi.yaml"


def _closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- health probes ------------------------------------------------------------------------------


def test_healthz_is_json_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(REDIS_URL=None)
def test_readyz_checks_the_database(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_redis_when_configured(client: Client, redis_url: str) -> None:
    with override_settings(REDIS_URL=redis_url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_down(client: Client) -> None:
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


# --- entry points --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_portal_home_is_public_and_chinese(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN"' in html
    assert "公安政务服务，一网通办" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "login"), [("/work/", "/work/login/"), ("/admin/", "/admin/login/")]
)
def test_staff_areas_redirect_to_their_login(client: Client, url: str, login: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(login)
    assert (
        f"next={quote(url, safe='')}" in response["Location"]
        or f"next={url}" in response["Location"]
    )


@pytest.mark.django_db
def test_api_schema_is_valid_openapi(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/units/" in schema["paths"]
    validate_schema(schema)  # raises on an invalid document


@pytest.mark.django_db
def test_api_docs_work_offline(client: Client) -> None:
    """The Swagger UI page loads only assets served by this site (police intranets are offline)."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", html)
    assert external == [], f"/api/docs/ loads assets from outside the site: {external}"
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:
        asset_response = client.get(asset)
        assert asset_response.status_code == 200, asset
        if hasattr(asset_response, "close"):
            asset_response.close()


# --- OpenAPI drift -------------------------------------------------------------------------------


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ONESTOP_", "DJANGO_", "CELERY_"))
    }
    env["ONESTOP_VAR_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def _schema_from_make_openapi(tmp_path: Path) -> str:
    """What `make openapi` writes: manage.py spectacular with the default (SQLite) settings."""
    out = tmp_path / "openapi.yaml"
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--file",
            str(out),
            "--validate",
            "--fail-on-warn",
        ],
        cwd=ROOT,
        env=_clean_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"`make openapi` would fail:\n{done.stdout}{done.stderr}"
    return out.read_text()


def _diff(a: str, b: str, a_name: str, b_name: str) -> str:
    lines = difflib.unified_diff(
        a.splitlines(keepends=True), b.splitlines(keepends=True), a_name, b_name
    )
    return "".join(list(lines)[:80])


def test_committed_openapi_matches_the_code(tmp_path: Path) -> None:
    assert OPENAPI_FILE.exists(), "docs/openapi.yaml is missing: run `make openapi`"
    committed = OPENAPI_FILE.read_text()
    current = _schema_from_make_openapi(tmp_path)
    if committed != current:
        diff = _diff(committed, current, "docs/openapi.yaml (committed)", "generated from the code")
        pytest.fail(f"docs/openapi.yaml is out of date: run `make openapi`\n{diff}", pytrace=False)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_openapi_does_not_depend_on_the_database(tmp_path: Path) -> None:
    """The API contract served on PostgreSQL is the committed one (generated on SQLite).

    Model integer fields take their bounds from the database backend (64-bit on SQLite, 32-bit
    for PostgreSQL's integer), so a serializer field without an explicit max_value publishes a
    different schema on each backend."""
    generated = tmp_path / "openapi-here.yaml"
    with translation.override("zh-hans"):
        call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    here = generated.read_text()
    reference = _schema_from_make_openapi(tmp_path)
    if here != reference:
        diff = _diff(reference, here, "schema on SQLite (make openapi)", "schema on PostgreSQL")
        pytest.fail(
            "the OpenAPI schema differs between SQLite and PostgreSQL: list read-only fields "
            "in the serializer's Meta.read_only_fields, and give writable integer fields an "
            "explicit max_value (e.g. 2147483647 for a PositiveIntegerField)\n" + diff,
            pytrace=False,
        )


# --- production settings -------------------------------------------------------------------------


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return _clean_env(
        tmp_path,
        ONESTOP_ENV="production",
        DJANGO_SETTINGS_MODULE="onestop.config.settings.production",
        ONESTOP_ALLOWED_HOSTS="psb.example.gov.cn",
        ONESTOP_PII_KEYS="k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ONESTOP_PII_HASH_KEY=secrets.token_urlsafe(32),
        **extra,
    )


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"
    secret_key = "".join(secrets.choice(alphabet) for _ in range(50))
    done = _check_deploy(_production_env(tmp_path, ONESTOP_SECRET_KEY=secret_key))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert done.stdout.strip().startswith("System check identified no issues"), output
    assert "WARNING" not in output, output
    assert "ERROR" not in output, output


def test_wsgi_module_freezes_the_startup_heap(tmp_path: Path) -> None:
    """The WSGI entry point imports every view and freezes the heap before the first request
    (so that full collections do not traverse it: the inbox's ~100 ms outliers)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    env = _production_env(
        tmp_path, ONESTOP_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50))
    )
    script = (
        "import gc, sys\n"
        "import onestop.config.wsgi as w\n"
        "views = [m for m in sys.modules if m.startswith('onestop.') and '.views' in m]\n"
        "print(gc.get_freeze_count(), len(views), callable(w.application))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    frozen, view_modules, ok = done.stdout.split()
    assert int(frozen) > 50_000
    assert int(view_modules) >= 10
    assert ok == "True"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = _check_deploy(_production_env(tmp_path))
    assert done.returncode != 0
    assert "ONESTOP_SECRET_KEY" in done.stderr
    # Nothing was silently generated in its place.
    assert not (tmp_path / "secret_key.txt").exists()


# --- no input gives a 500 on the public pages ----------------------------------------------------


def _has_nul(query: QueryDict) -> bool:
    return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in query.lists())


query_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
raw_query = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"),
    max_size=60,
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@FUZZ
@given(q=query_text, raw=raw_query)
@example(q="\x00", raw="q=%00")
@example(q="' OR 1=1 --", raw="q=%ff%fe&page=-1")
def test_portal_home_never_500(client: Client, q: str, raw: str) -> None:
    # A NUL byte may be refused outright (400); anything else is just a search.
    assert client.get("/", {"q": q}).status_code in ({200, 400} if "\x00" in q else {200})
    expected = {200, 400} if _has_nul(QueryDict(raw)) else {200}
    assert client.get("/?" + raw).status_code in expected


@pytest.mark.django_db
@FUZZ
@given(region=query_text, page=query_text, raw=raw_query)
@example(region="\x00", page="0", raw="region_code=%00")
@example(region="1" * 200, page="99999999999999999999", raw="region_code=%ff")
def test_units_api_never_500(client: Client, region: str, page: str, raw: str) -> None:
    # A filter that cannot match may return an empty page or a 400 naming the bad parameter.
    response = client.get("/api/v1/units/", {"region_code": region})
    assert response.status_code in {200, 400}, response.content[:300]
    if response.status_code == 400 and "\x00" not in region:
        assert "region_code" in response.content.decode(), response.content[:300]
    response = client.get("/api/v1/units/", {"region_code": region[:6], "page": page})
    assert response.status_code in {200, 400, 404}, response.content[:300]
    assert client.get("/api/v1/units/?" + raw).status_code in {200, 400, 404}


@pytest.mark.django_db
@FUZZ
@given(raw=raw_query, segment=query_text)
def test_healthz_and_unknown_paths_never_500(client: Client, raw: str, segment: str) -> None:
    # A NUL byte anywhere in the path or query is refused with 400 (RejectNulBytesMiddleware).
    health = client.get("/healthz?" + raw)
    nul = any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in health.wsgi_request.GET.lists()
    )
    assert health.status_code == (400 if nul else 200)
    assert client.post("/healthz").status_code == 405
    response = client.get("/no-such-page-" + quote(segment, safe="") + "/")
    expected = {400} if "\x00" in segment else {404, 301, 302}
    assert response.status_code in expected


def _stays_on_site(location: str) -> bool:
    """Where a browser would go: it drops tabs/newlines, strips leading controls and spaces,
    and reads backslashes as slashes."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r")
    cleaned = cleaned.lstrip("".join(map(chr, range(0x21)))).replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/some/page", cleaned))
    return target.scheme == "http" and target.netloc == "testserver"


next_target = st.one_of(
    query_text,
    st.sampled_from(
        [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            " https://evil.example",
        ]
    ),
)


@pytest.mark.django_db
@FUZZ
@given(target=next_target, language=query_text)
@example(target="/\x00", language="\x00")
def test_preference_switches_never_500_nor_redirect_off_site(
    client: Client, target: str, language: str
) -> None:
    for url, data in [
        ("/accessibility/large-text/", {"next": target}),
        ("/i18n/setlang/", {"next": target, "language": language}),
        ("/i18n/setlang/", {"next": target, "language": "en"}),
    ]:
        response = client.post(url, data)
        refused = {400} if "\x00" in target + language else set()
        assert response.status_code in {302, 204} | refused, (url, data, response.status_code)
        if response.status_code == 302:
            assert _stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize(
    ("location", "on_site"),
    [
        ("/", True),
        ("0", True),
        ("/work/?a=b", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("\t//evil.example", False),
        (" https://evil.example", False),
        ("javascript:alert(1)", False),
    ],
)
def test_off_site_redirect_detector(location: str, on_site: bool) -> None:
    """The check above would catch an open redirect."""
    assert _stays_on_site(location) is on_site


def _api_get_operations() -> list[tuple[str, list[str]]]:
    """(path template, query parameter names) of every GET in the committed OpenAPI file."""
    if not OPENAPI_FILE.exists():
        return []
    schema = yaml.safe_load(OPENAPI_FILE.read_text())
    return [
        (path, [p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"])
        for path, ops in sorted(schema["paths"].items())
        if "get" in ops
    ]


path_value = st.one_of(st.integers(min_value=-(2**63), max_value=2**63), query_text)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_no_api_get_returns_500(client: Client, data: st.DataObject) -> None:
    """Every GET in the API answers anonymous, arbitrary input with something other than a 500."""
    operations = _api_get_operations()
    assert operations, "docs/openapi.yaml lists no GET operations"
    path, names = data.draw(st.sampled_from(operations), label="operation")
    url = re.sub(
        r"\{[^}]+\}",
        lambda _: quote(str(data.draw(path_value, label="path value")), safe="") or "x",
        path,
    )
    params = {name: data.draw(query_text, label=name) for name in names}
    response = client.get(url, params)
    assert response.status_code < 500, (url, params, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "names"), _api_get_operations(), ids=[p for p, _ in _api_get_operations()]
)
@pytest.mark.parametrize("value", ["\x00", "9" * 30, "-1", "%", "１２０１０１"])
def test_api_get_awkward_values(client: Client, path: str, names: list[str], value: str) -> None:
    """The classic troublemakers, in every query parameter and path segment of every GET."""
    url = re.sub(r"\{[^}]+\}", quote(value, safe="") or "x", path)
    params = dict.fromkeys(names, value)
    response = client.get(url, params)
    assert response.status_code < 500, (url, params, response.status_code)
