"""The published API contract: ``/api/openapi.json`` documents exactly what each endpoint
validates and returns.

django-ninja puts every nested schema under ``components.schemas`` by its class name and
silently keeps one when two classes share a name, so the document then describes another
app's body. The duplicates are found from the classes themselves (the document cannot show
them), and each operation's documented body is compared with the one built for it alone.
"""

import json
import typing
from collections import defaultdict

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from gonghui.api import api


def _operations():
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for op in path_view.operations:
                if op.include_in_schema:
                    yield api.get_openapi_operation_id(op), op


def _json(value):
    """As served: keys are strings, dates are text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _roots(op) -> list[type[BaseModel]]:
    """The models ninja builds for an operation (parameters, responses): their fields hold
    the schemas that become components."""
    responses = [m for m in op.response_models.values() if isinstance(m, type)]
    return [*op.models, *responses]


def _nested_models(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _nested_models(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _nested_models(arg, found)


def _identity(model: type[BaseModel]) -> tuple[str, str, str]:
    """Where a class is defined, plus its schema: ninja builds one ``Paged<Item>`` class per
    paginated endpoint, equal in all but identity; those are one component, not two."""
    schema = json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return model.__module__, model.__qualname__, schema


def _deref(node, components: dict, depth: int = 0):
    if depth > 40:
        raise AssertionError("schema nests too deep (a reference cycle?)")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            return _deref(components[name], components, depth + 1)
        return {k: _deref(v, components, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(v, components, depth + 1) for v in node]
    return node


def _alone(op) -> tuple[dict, dict, dict]:
    """The request body and responses of one operation documented on their own, so no
    other operation's schema of the same name can stand in for its own."""
    generator = OpenAPISchema.__new__(OpenAPISchema)
    generator.api, generator.path_prefix = api, ""
    generator.schemas, generator.securitySchemes = {}, {}
    body = generator.request_body(op)
    responses = generator.responses(op)
    return _json(body), _json(responses), _json(generator.schemas)


@pytest.fixture(scope="module")
def document():
    return _json(api.get_openapi_schema())


def _by_operation_id(document) -> dict[str, dict]:
    return {
        entry["operationId"]: entry
        for methods in document["paths"].values()
        for entry in methods.values()
    }


def test_every_schema_name_is_defined_once():
    by_name: dict[str, set] = defaultdict(set)
    for _operation_id, op in _operations():
        for root in _roots(op):
            nested: set = set()
            for field in root.model_fields.values():
                _nested_models(field.annotation, nested)
            for model in nested:
                by_name[model.__name__].add(_identity(model))
    duplicated = {
        name: sorted(f"{module}.{qualname}" for module, qualname, _ in ids)
        for name, ids in by_name.items()
        if len(ids) > 1
    }
    assert duplicated == {}
    assert len(by_name) > 150  # the walk reached the schemas (182 when written)


def test_every_documented_body_and_response_is_the_one_the_endpoint_uses(document):
    components = document["components"]["schemas"]
    documented = _by_operation_id(document)
    checked, wrong = 0, []
    for operation_id, op in _operations():
        body, responses, own = _alone(op)
        entry = documented[operation_id]
        if body:
            checked += 1
            mine = _deref(body["content"], own)
            theirs = _deref(entry["requestBody"]["content"], components)
            if mine != theirs:
                wrong.append(f"{operation_id} request body")
        for status, spec in responses.items():
            mine = _deref(spec.get("content"), own)
            theirs = _deref(entry["responses"][status].get("content"), components)
            if mine != theirs:
                wrong.append(f"{operation_id} response {status}")
    assert wrong == []
    assert checked > 50  # bodies were compared (72 when written)


def _body_schema(document, path: str) -> dict:
    content = document["paths"][path]["post"]["requestBody"]["content"]
    return _deref(content["application/json"]["schema"], document["components"]["schemas"])


def test_mutual_aid_period_body_documents_its_fields(document):
    schema = _body_schema(document, "/api/mutualaid/programmes/{programme_id}/periods")
    assert sorted(schema["properties"]) == [
        "claim_deadline", "coverage_ends", "coverage_starts", "enrol_closes", "enrol_opens",
        "name", "published",
    ]  # fmt: skip
    assert schema["properties"]["enrol_opens"]["format"] == "date"


def test_plan_transitions_document_plan_actions(document):
    schema = _body_schema(document, "/api/training/plans/{plan_id}/transitions")
    assert schema["properties"]["action"]["enum"] == [
        "approve", "announce", "open_enrolment", "start", "complete", "archive", "cancel",
    ]  # fmt: skip
    claims = _body_schema(document, "/api/mutualaid/claims/{claim_id}/transitions")
    assert claims["properties"]["action"]["enum"] == [
        "union_approve", "federation_approve", "return", "reject", "resubmit",
    ]  # fmt: skip
    reform = _body_schema(document, "/api/reform/items/{item_id}/transitions")
    assert reform["properties"]["action"]["enum"] == [
        "start", "suspend", "resume", "complete", "cancel",
    ]  # fmt: skip


def test_plan_actions_are_the_ones_the_endpoint_runs():
    from gonghui.training.api_plans import ACTIONS
    from gonghui.training.schemas import PlanAction

    assert list(ACTIONS) == list(typing.get_args(PlanAction))


def test_training_enrolment_documents_the_training_enrolment(document):
    content = document["paths"]["/api/training/plans/{plan_id}/enrollments"]["post"]
    schema = _deref(
        content["responses"]["201"]["content"]["application/json"]["schema"],
        document["components"]["schemas"],
    )
    assert {"seat", "waitlist_position", "plan_id"} <= set(schema["properties"])


def test_the_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "工会数智治理平台 API"
