"""Helpers shared by the service layer."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(*, instance: ModelT, fields: list[str], data: dict[str, Any]) -> tuple[ModelT, dict[str, Any]]:
    """Set the allowed `fields` present in `data`; save only what changed.

    Returns the instance and a dict {field: (old, new)} of the changes (for the audit entry).
    Many-to-many fields are set after the save.
    """
    changes: dict[str, Any] = {}
    m2m: dict[str, Any] = {}
    model_fields = {f.name: f for f in instance._meta.get_fields()}
    for name in fields:
        if name not in data:
            continue
        field = model_fields[name]
        value = data[name]
        if isinstance(field, models.ManyToManyField):
            m2m[name] = value
            continue
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    if changes:
        instance.full_clean()
        update_fields = list(changes)
        if "updated_at" in model_fields:
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    for name, value in m2m.items():
        manager = getattr(instance, name)
        old_ids = sorted(manager.values_list("pk", flat=True))
        new_ids = sorted(v.pk if hasattr(v, "pk") else v for v in value)
        if old_ids != new_ids:
            manager.set(value)
            changes[name] = (old_ids, new_ids)
    return instance, changes
