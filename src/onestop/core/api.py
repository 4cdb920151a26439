"""API plumbing shared by every app: error envelope and translated messages."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django ValidationErrors raised by services become 400s."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
        del detail
    return drf_exception_handler(exc, context)


class CachedFieldsMixin:
    # (Comments, not a docstring: drf-spectacular would put a mixin's docstring in the OpenAPI
    # description of every serializer that uses it.)
    #
    # For a read-only ``ModelSerializer`` whose fields do not depend on the instance or the
    # context: the fields are built from the model once per class and deep-copied afterwards.
    # ``ModelSerializer.get_fields`` introspects the model on every instantiation (model field
    # info, field mapping, error messages): for the case detail answer, with its nested material
    # and event serializers, about 1.5 ms of each submission. A deep copy re-creates each field
    # from its constructor arguments, which is what DRF does for declared fields anyway.

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        prototype = cls.__dict__.get("_cached_fields_prototype")
        if prototype is None:
            prototype = super().get_fields()  # type: ignore[misc]
            cls._cached_fields_prototype = prototype  # type: ignore[attr-defined]
        return copy.deepcopy(prototype)
