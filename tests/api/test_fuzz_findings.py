"""Regressions for what the API fuzz found, pinned on both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

NLP = "/api/v1/nlp/intents"


def test_a_wrong_method_answers_405_listing_every_method_of_the_path(api: TestClient) -> None:
    response = api.request("PUT", "/api/v1/customers/00000000-0000-7000-8000-000000000000")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}


def test_the_openapi_document_describes_the_error_shape_of_every_4xx(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    error = spec["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    assert set(spec["components"]["schemas"]["ErrorInfo"]["required"]) == {"code", "message", "details"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"]["4XX"]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
            assert "422" not in operation["responses"], (method, path)


def test_intent_label_counts_are_served(api: TestClient) -> None:
    examples = [{"text": "where is my refund", "label": "refund"},
                {"text": "refund please", "label": "refund"},
                {"text": "track my parcel", "label": "tracking"}]  # fmt: skip
    assert api.post(f"{NLP}/examples", json={"examples": examples}).status_code == 201
    response = api.get(f"{NLP}/labels")
    assert response.status_code == 200, response.text
    assert response.json() == {"refund": 2, "tracking": 1}


def test_an_intent_example_with_a_nul_character_is_a_422_not_a_database_error(api: TestClient) -> None:
    examples = [{"text": "ok", "label": "fine"}, {"text": "where is\x00 my refund", "label": "refund"}]
    response = api.post(f"{NLP}/examples", json={"examples": examples})
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["error"]["details"]] == [["body", "examples", 1, "text"]]
    assert api.get(f"{NLP}/labels").json() == {}
