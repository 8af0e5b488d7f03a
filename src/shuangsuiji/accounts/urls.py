from django.urls import path

from shuangsuiji.accounts import views

app_name = "accounts"

urlpatterns = [
    path("password/change/", views.password_change, name="password_change"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("security/users/", views.account_list, name="account_list"),
    path("security/users/<int:pk>/<str:action>/", views.account_action, name="account_action"),
]
