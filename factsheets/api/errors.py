"""Every API error is JSON of one shape: {"status": <code>, "message": "...", "errors": {...}?}.

`errors` appears only on 400 and maps each bad query parameter to its messages.
"""

from django.http import JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This fact sheet has been withdrawn."
    default_code = "gone"


class ErrorSerializer(serializers.Serializer):
    """Documents the error body in the OpenAPI schema."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated for convenience.")
    message = serializers.CharField(help_text="What went wrong, in plain words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only on 400: each malformed query parameter and what is wrong with it.",
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
    return response


def api_not_found(request, *args, **kwargs):
    """JSON 404 for any address under /api/ that matches no endpoint (Django's own 404 page is HTML)."""
    return JsonResponse(
        {"status": 404, "message": "There is no API endpoint at this address. See /api/docs/."}, status=404
    )
