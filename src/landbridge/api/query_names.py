"""Refuse a query parameter a read does not declare: ``?limt=5`` is a 422 naming ``limt``, not ignored.

A typo in a filter or paging parameter would otherwise answer the unfiltered, unpaged list, and the
caller would take it for the answer to the question asked. One dependency on every API router
(``api/app.py``) compares the request's parameter names with those the route declares — FastAPI
knows them from the route's signature and its dependencies — so a new route is covered without a
line of its own and the OpenAPI document is unchanged (the dependency declares no parameter).

Only reads (``GET``/``HEAD``) are checked here; the commands that take query parameters refuse
unknown ones with :class:`landbridge.api.deps.DeclaredQueryOnly`. The DCSA routes check their own
list (with its ``name:operator`` forms) and answer in DCSA's error format (``api/routers/dcsa.DcsaRoute``,
which says so with ``checks_own_query_names``); this check leaves them alone.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

_READS = frozenset({"GET", "HEAD"})
_CACHE_ATTRIBUTE = "_landbridge_query_names"


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameter names an operation declares, its dependencies' included.

    A parameter typed as a pydantic model (``Annotated[Model, Query()]``) stands for its fields.
    """
    names: set[str] = set()
    for param in dependant.query_params:
        annotation = param.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= {field.alias or name for name, field in annotation.model_fields.items()}
        else:
            names.add(param.alias)
    for dependency in dependant.dependencies:
        names |= declared_query_names(dependency)
    return frozenset(names)


def _names_of(route: object) -> frozenset[str] | None:
    """The route's declared names, worked out on its first request and kept on the route."""
    if getattr(route, "checks_own_query_names", False):  # a DCSA route: its own list, operators, error body
        return None
    known = getattr(route, _CACHE_ATTRIBUTE, None)
    if isinstance(known, frozenset):
        return known
    dependant = getattr(route, "dependant", None)
    if not isinstance(dependant, Dependant):
        return None
    names = declared_query_names(dependant)
    setattr(route, _CACHE_ATTRIBUTE, names)
    return names


async def refuse_undeclared_query(request: Request) -> None:
    """422 naming every query parameter of a read that its route does not take (and what it takes)."""
    if request.method not in _READS or not request.query_params:
        return
    allowed = _names_of(request.scope.get("route"))
    if allowed is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in allowed]
    if unknown:
        takes = ", ".join(sorted(allowed)) or "none"
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"is not a query parameter of this operation (it takes: {takes})",
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )
