"""The audit log pages (namespace ``audit``, under ``/audit/``): the audit app records, accounts shows it to
the audit administrator within their scope (三权分立)."""

from django.urls import path

from shuangsuiji.accounts import audit_views as views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("verify/", views.verify, name="verify"),
    path("transparency/head.json", views.tree_head_json, name="tree_head"),
    path("transparency/proof/<int:index>.json", views.inclusion_proof_json, name="inclusion_proof"),
]
