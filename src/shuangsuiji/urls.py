from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shuangsuiji.accounts import views as account_views
from shuangsuiji.api.api import api
from shuangsuiji.common.views import home, stats
from shuangsuiji.disclosure.api import public_api

urlpatterns = [
    path("", home, name="home"),
    path("stats/", stats, name="stats"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("shuangsuiji.accounts.urls")),
    path("audit/", include("shuangsuiji.audit.urls")),
    path("directory/", include("shuangsuiji.directory.urls")),
    path("draws/", include("shuangsuiji.draws.urls")),
    path("gs/", include("shuangsuiji.disclosure.urls")),
    path("disclosure/", include("shuangsuiji.disclosure.urls_staff")),
    path("api/public/", public_api.urls),
    path("planning/", include("shuangsuiji.planning.urls")),
    path("oversight/", include("shuangsuiji.oversight.urls")),
    path("inspections/", include("shuangsuiji.inspections.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "shuangsuiji.common.errors.page_not_found"
handler403 = "shuangsuiji.common.errors.permission_denied"
handler500 = "shuangsuiji.common.errors.server_error"
