"""Every API error is JSON of one shape: {"status": <code>, "message": "...", "errors": {...}?}.

`errors` appears only on 400 and maps each bad query parameter to its messages.
"""

from django.http import JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler

from factsheets.api.serializers import EditionSerializer


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This fact sheet has been withdrawn."
    default_code = "gone"


class EditionNotFound(exceptions.NotFound):
    """404 for an edition a sheet does not have; the body lists the editions it has (`editions`)."""

    def __init__(self, detail: str, *, editions: list[dict]):
        super().__init__(detail)
        self.editions = editions


class ErrorSerializer(serializers.Serializer):
    """Documents the error body in the OpenAPI schema."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated for convenience.")
    message = serializers.CharField(help_text="What went wrong, in plain words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only on 400: each malformed query parameter and what is wrong with it.",
    )


class EditionNotFoundSerializer(ErrorSerializer):
    """A 404 body; for a language the sheet is not published in, with the editions it has."""

    editions = EditionSerializer(
        many=True,
        required=False,
        help_text="Only when the sheet exists but not in the language asked for: the languages it can be read in, "
        "each with the API address of its live version.",
    )


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            inner = _first_message(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:  # not an API error: let Django answer 500 and log it
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "status": response.status_code,
            "message": f"Invalid query parameter. {_first_message(errors)}",
            "errors": {
                key: [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in errors.items()
            },
        }
    else:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        response.data = {"status": response.status_code, "message": str(detail)}
        if isinstance(exc, EditionNotFound):
            response.data["editions"] = exc.editions
    return response


def api_not_found(request, *args, **kwargs):
    """JSON 404 for any address under /api/ that matches no endpoint (Django's own 404 page is HTML)."""
    return JsonResponse(
        {"status": 404, "message": "There is no API endpoint at this address. See /api/docs/."}, status=404
    )
