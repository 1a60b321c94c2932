from django.urls import path

from lintas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("accounts/mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("accounts/mfa/recovery-codes/", views.recovery_codes_regenerate, name="recovery_codes"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("i18n/language/", views.set_language, name="set_language"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
]
