"""/healthz, the OpenAPI description and its browsable docs."""

from __future__ import annotations

from tests.api.spec import refs
from tests.conftest import Api

CONTRACT_PATHS = {
    "/api/v1/comments": {"get", "post"},
    "/api/v1/comments/{id}": {"patch", "delete"},
    "/api/v1/comments/{id}/vote": {"post"},
    "/api/v1/threads": {"get"},
    "/api/v1/counts": {"get"},
    "/api/v1/feed.atom": {"get"},
}


def test_healthz(api: Api) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_describes_every_contract_path(api: Api) -> None:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    for path, methods in CONTRACT_PATHS.items():
        assert methods <= set(spec["paths"][path]), path
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]


def test_openapi_refs_resolve(api: Api) -> None:
    spec = api.get("/api/openapi.json").json()
    found = refs(spec)
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in spec["components"]["schemas"]


def test_api_docs_page(api: Api) -> None:
    response = api.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for path in CONTRACT_PATHS:
        assert path in response.text
    assert "/api/openapi.json" in response.text
