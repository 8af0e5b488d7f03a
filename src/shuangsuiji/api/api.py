"""The django-ninja API: authentication, error replies, routers of each app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import hash_token
from shuangsuiji.api.parser import SafeJsonParser
from shuangsuiji.common.exceptions import ApplicationError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if found is None or not found.user.is_active:
            return None
        if found.expires_at is not None and found.expires_at < timezone.now():
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="双随机、一公开 卫生健康监督抽查平台 API",
    version="1.0",
    description="一单两库等数据的接口。认证：登录会话（需 CSRF）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    parser=SafeJsonParser(),
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, **exc.extra}, status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A model's full_clean() refused the data (found by the schemathesis run): 422, not a server error."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    text = "；".join(f"{'' if k == '__all__' else k + '：'}{'，'.join(v)}" for k, v in detail.items())
    return api.create_response(request, {"detail": f"数据不符合要求：{text}", "errors": detail}, status=422)


from shuangsuiji.directory.api import router as directory_router  # noqa: E402

api.add_router("/directory/", directory_router)

from shuangsuiji.draws.api import router as draws_router  # noqa: E402

api.add_router("/draws/", draws_router)

from shuangsuiji.planning.api import router as planning_router  # noqa: E402

api.add_router("/planning/", planning_router)

from shuangsuiji.inspections.api import router as inspections_router  # noqa: E402

api.add_router("/inspections/", inspections_router)

# The deadline API keeps its address /api/v1/oversight/ from before the deadlines app existed.
from shuangsuiji.deadlines.api import router as deadlines_router  # noqa: E402

api.add_router("/oversight/", deadlines_router)

from shuangsuiji.oversight.api import router as oversight_router  # noqa: E402

api.add_router("/oversight/", oversight_router)

from shuangsuiji.disclosure.api_national import router as national_export_router  # noqa: E402

api.add_router("/disclosure/", national_export_router)

from shuangsuiji.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/supervision/", supervision_router)
