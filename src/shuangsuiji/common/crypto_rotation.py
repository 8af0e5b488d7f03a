"""Re-encrypt every EncryptedTextField value under the current key (`ssj crypto rotate-key`).

Idempotent and resumable: values already under the current key are skipped; each batch commits on its
own. Reads keep working throughout because the old key stays in `FIELD_ENCRYPTION_OLD_KEYS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from shuangsuiji.common.crypto import EncryptedTextField, decrypt_text, needs_reencryption


@dataclass
class RotationReport:
    fields: dict[str, int] = field(default_factory=dict)  # "app.model.field" → values re-encrypted

    @property
    def total(self) -> int:
        return sum(self.fields.values())


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append((model, f))
    return found


def rotate_field_key(*, batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> RotationReport:
    report = RotationReport()
    for model, f in encrypted_fields():
        label = f"{model._meta.label_lower}.{f.name}"
        done = 0
        manager = model._base_manager
        raw_rows = (
            manager.annotate(_ssj_raw=Cast(f.attname, output_field=models.TextField()))
            .exclude(**{f.attname: ""})
            .values_list("pk", "_ssj_raw")
            .order_by("pk")
        )
        last_pk = None
        while True:
            with transaction.atomic():
                # Read inside the write transaction (rows locked) so a concurrent edit is not overwritten.
                page = raw_rows if last_pk is None else raw_rows.filter(pk__gt=last_pk)
                batch = list(page.select_for_update()[:batch_size])
                if not batch:
                    break
                last_pk = batch[-1][0]
                for pk, stored in batch:
                    if needs_reencryption(stored):
                        # update() runs get_prep_value: encrypted again under the current key.
                        manager.filter(pk=pk).update(**{f.attname: decrypt_text(stored)})
                        done += 1
        report.fields[label] = done
        if progress is not None:
            progress(label, done)
    return report
